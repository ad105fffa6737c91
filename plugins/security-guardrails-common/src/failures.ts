import { SEVERITIES, Severity } from './checks';
import { CheckResult } from './results';

/**
 * What "failing" counts, the same in every view (entity card, Security tab,
 * dashboard, group card, CLI, API): a failing check is a check id with at
 * least one failing result; results (one per resource and container) are
 * counted apart and labelled as results. A failing check's severity is the
 * most severe of its failing results, the severity that caps a grade.
 *
 * @public
 */
export interface FailureCounts {
  /** Distinct check ids with a failing result, sorted. */
  checkIds: string[];
  /** Failing checks by the most severe of their failing results. */
  checksBySeverity: Record<Severity, number>;
  /** Failing results (one per check, resource and container). */
  results: number;
  /** Failing results by their own severity. */
  resultsBySeverity: Record<Severity, number>;
}

function zeroes(): Record<Severity, number> {
  return { critical: 0, high: 0, medium: 0, low: 0 };
}

/**
 * Counts failing checks and failing results.
 *
 * @public
 */
export function failureCounts(
  results: ReadonlyArray<Pick<CheckResult, 'checkId' | 'status' | 'severity'>>,
): FailureCounts {
  const worst = new Map<string, number>();
  const resultsBySeverity = zeroes();
  let count = 0;
  for (const r of results) {
    if (r.status !== 'fail') continue;
    count += 1;
    resultsBySeverity[r.severity] += 1;
    const rank = SEVERITIES.indexOf(r.severity);
    const seen = worst.get(r.checkId);
    if (seen === undefined || rank < seen) worst.set(r.checkId, rank);
  }
  const checksBySeverity = zeroes();
  for (const rank of worst.values()) checksBySeverity[SEVERITIES[rank]] += 1;
  return {
    checkIds: [...worst.keys()].sort(),
    checksBySeverity,
    results: count,
    resultsBySeverity,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * How many failing checks, in the one wording: `1 failing check`, `3 failing checks`.
 *
 * @public
 */
export function failingChecksLabel(checks: number): string {
  return plural(checks, 'failing check');
}

/**
 * The one wording of failure counts: `3 failing checks (7 failing results)`,
 * or `No failing checks`.
 *
 * @public
 */
export function failureLabel(counts: FailureCounts): string {
  if (counts.checkIds.length === 0) return 'No failing checks';
  return `${failingChecksLabel(counts.checkIds.length)} (${plural(
    counts.results,
    'failing result',
  )})`;
}
