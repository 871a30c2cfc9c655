// Outcomes of a check other than pass and fail. A requirement can only be judged on what the target actually
// answered: when the suite never observed what a requirement is about, it is *not tested* (with a reason), or
// *blocked by* the requirement whose failure stood in the way; when the target only said "try later" (429/503)
// past the run's budget, the check is *inconclusive*. None of them is ever a pass or a failure.
// Shared by the fixtures, the transport and the reporter; imports nothing from Playwright.

/**
 * Why a requirement was not tested. Every kind but `filtered` and `inapplicable` keeps a gating requirement from
 * CONFORMANT (src/report/exit-code.ts): what was not shown is not proven.
 */
export type NotTestedKind =
  /** No configured principal can perform what the check needs. */
  | 'principal'
  /** The target is not the embedded reference server and writes were not allowed. */
  | 'writes'
  /** The principals span a single tenant, so isolation cannot be observed. */
  | 'tenants'
  /** The user narrowed the run (--grep, --shard, file filters). */
  | 'filtered'
  /** The target offers nothing to observe (e.g. it never pages, serves no $metadata). */
  | 'target'
  /**
   * The requirement is about something the contract lets a target leave out, and this target did (a Location, which
   * is a MAY; innerError ids, which older Graph answers lack): nothing to judge, and nothing missing.
   */
  | 'inapplicable';

/** Not-tested kinds caused by the run's configuration: a MUST untested for one of these makes the run INCOMPLETE. */
export const CONFIGURATION_KINDS: readonly NotTestedKind[] = ['principal', 'writes', 'tenants'];

/** Annotation types the reporter reads (test.info().annotations). */
export const NOT_TESTED = 'not-tested';
export const BLOCKED_BY = 'blocked-by';

export interface NotTestedNote {
  kind: NotTestedKind;
  reason: string;
}

export interface BlockedNote {
  /** The requirement whose failure stood in the way. */
  by: string;
  reason: string;
}

/** Name prefix the reporter recognises in a test's error. */
export const INCONCLUSIVE = 'Inconclusive';

/** The target answered only "try later" (429/503) and the run's retry budget is spent: no verdict either way. */
export class Inconclusive extends Error {
  override name = INCONCLUSIVE;
}

/** Thrown by code that is not a Playwright test body (properties): the fixture turns it into a skip with a note. */
export class NotObserved extends Error {
  override name = 'NotObserved';
  constructor(readonly note: { kind: 'blocked'; blocked: BlockedNote } | { kind: 'not-tested'; notTested: NotTestedNote }) {
    super(note.kind === 'blocked' ? `blocked by ${note.blocked.by}: ${note.blocked.reason}` : `not tested: ${note.notTested.reason}`);
  }
}

/** Strips the terminal colour codes Playwright puts into error messages. */
export const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

/** Whether a reported error (message and stack, possibly coloured) is one the suite threw under `name`. */
export function errorNamed(err: { message?: string; stack?: string } | undefined, name: string): boolean {
  return plain(err?.stack ?? '').startsWith(`${name}:`) || plain(err?.message ?? '').startsWith(`${name}:`);
}

export const isInconclusive = (err: { message?: string; stack?: string } | undefined) => errorNamed(err, INCONCLUSIVE);
