// Tokens the suite derives from configured ones, whatever their format (JWT or opaque). A derived token is
// nearly a real one, so it is registered for redaction like the original.
import { redactor } from '../core/redact';

/** The same token with one character changed in its signature (a JWT) or its middle (opaque). */
export function tamper(token: string): string {
  const derived = derive(token);
  redactor.add(derived);
  return derived;
}

function derive(token: string): string {
  const parts = token.split('.');
  const target = parts.length === 3 && parts[2]!.length > 4 ? 2 : -1;
  const flip = (s: string) => {
    const i = Math.floor(s.length / 2);
    const c = s[i]!;
    return s.slice(0, i) + (c === 'A' ? 'B' : 'A') + s.slice(i + 1);
  };
  if (target === 2) return [parts[0], parts[1], flip(parts[2]!)].join('.');
  return flip(token);
}
