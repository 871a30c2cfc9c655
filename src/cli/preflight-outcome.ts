// The preflight as the run's data: its findings against the target become failures of their requirements (with
// the exchange and a reproduce line naming the principal's token variable), carried in the runtime to the
// reporter, which files each beside the requirement's tests.
import { preflight, type PreflightResult } from './preflight';
import { CheckFailure, namePrincipals } from '../checks/failure';
import type { PreflightOutcome } from '../config/runtime';
import type { Principal } from '../auth/principals';

export function preflightOutcome(result: PreflightResult, principals: readonly Principal[]): PreflightOutcome {
  namePrincipals(principals);
  return {
    findings: result.findings.map((f) => ({ requirement: f.requirement, failure: new CheckFailure(f.requirement, f.summary, { expected: f.expected, received: f.received, exchange: f.exchange }).record })),
    hints: result.hints,
  };
}

/** The preflight of `target` as runtime data; a ConfigError (exit 2) when the input is provably wrong. */
export async function checkTarget(target: string, principals: readonly Principal[]): Promise<PreflightOutcome> {
  return preflightOutcome(await preflight(target, principals), principals);
}
