// Secrets never leave the process: every string bound for a report, an attachment or the console passes
// through here. Known secrets are replaced literally; bearer credentials and JWT-shaped strings by pattern.

const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const SECRET_FIELDS = /("(?:client_secret|clientSecret|access_token|token|refresh_token|client_assertion)"\s*:\s*")[^"]*"/gi;
const FORM_SECRETS = /\b(client_secret|client_assertion|access_token)=[^&\s]+/gi;

export const REDACTED = '[REDACTED]';

export class Redactor {
  private secrets: string[] = [];

  /** Registers values to scrub; very short values are ignored so they cannot blank out ordinary text. */
  add(...values: (string | undefined)[]): this {
    for (const v of values) if (v && v.length >= 8 && !this.secrets.includes(v)) this.secrets.push(v);
    this.secrets.sort((a, b) => b.length - a.length);
    return this;
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out
      .replace(BEARER, `$1 ${REDACTED}`)
      .replace(JWT, REDACTED)
      .replace(SECRET_FIELDS, `$1${REDACTED}"`)
      .replace(FORM_SECRETS, `$1=${REDACTED}`);
  }

  redactHeaders(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) {
      out[k] = /^(authorization|proxy-authorization|cookie|set-cookie)$/i.test(k) ? `${/^bearer /i.test(v) ? 'Bearer ' : ''}${REDACTED}` : this.redact(v);
    }
    return out;
  }
}

/** The process-wide redactor: the runtime registers every token it loads. */
export const redactor = new Redactor();
