import { DOMAINS, Domain, ResultStatus, Severity } from './checks';
import { CheckResult } from './results';

/**
 * How much one result weighs, by severity. Each step up doubles the weight.
 *
 * @public
 */
export const SEVERITY_WEIGHTS: Record<Severity, number> = {
  critical: 8,
  high: 4,
  medium: 2,
  low: 1,
};

/** @public */
export type Grade = 'A' | 'B' | 'C' | 'D' | 'F';

/**
 * Lowest score of each grade; below the last one is F.
 *
 * @public
 */
export const GRADE_THRESHOLDS: ReadonlyArray<{ grade: Grade; min: number }> = [
  { grade: 'A', min: 90 },
  { grade: 'B', min: 80 },
  { grade: 'C', min: 70 },
  { grade: 'D', min: 60 },
];

/**
 * The best grade a score can have while a critical check fails.
 *
 * @public
 */
export const CRITICAL_FAILURE_GRADE_CAP: Grade = 'C';

const GRADE_ORDER: Grade[] = ['A', 'B', 'C', 'D', 'F'];

/** @public */
export function gradeForScore(score: number): Grade {
  for (const { grade, min } of GRADE_THRESHOLDS) {
    if (score >= min) {
      return grade;
    }
  }
  return 'F';
}

/** @public */
export function isGradeAtLeast(grade: Grade, atLeast: Grade): boolean {
  return GRADE_ORDER.indexOf(grade) <= GRADE_ORDER.indexOf(atLeast);
}

/**
 * A score with everything needed to explain it.
 *
 * The formula is Polaris' (100 · 2S / (2S + W + 2D)) with severity weights in
 * place of counts: `score = 100 · P / (P + F + W/2)`, where P, F and W are the
 * summed weights of passing, failing and warning results. Exempt and
 * not-applicable results leave the sum. No weighed result means no data:
 * `score` and `grade` are null, never 0 or 100.
 *
 * @public
 */
export interface ScoreBreakdown {
  score: number | null;
  grade: Grade | null;
  passWeight: number;
  failWeight: number;
  warnWeight: number;
  counts: Record<ResultStatus, number>;
  /** Ids of critical checks that fail; any of them caps the grade. */
  criticalFailures: string[];
  /** Set when the grade was lowered by {@link CRITICAL_FAILURE_GRADE_CAP}. */
  gradeCappedFrom?: Grade;
  /** The arithmetic in words, e.g. `100 × 36 / (36 + 12 + 4/2) = 72 → C`. */
  explanation: string;
}

/** @public */
export interface PostureScore {
  overall: ScoreBreakdown;
  domains: Record<Domain, ScoreBreakdown>;
}

function emptyCounts(): Record<ResultStatus, number> {
  return { pass: 0, fail: 0, warn: 0, 'not-applicable': 0, exempt: 0 };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

class Accumulator {
  pass = 0;
  fail = 0;
  warn = 0;
  counts = emptyCounts();
  critical = new Set<string>();

  add(result: Pick<CheckResult, 'checkId' | 'status' | 'severity'>) {
    const weight = SEVERITY_WEIGHTS[result.severity] ?? 0;
    this.counts[result.status] += 1;
    if (result.status === 'pass') {
      this.pass += weight;
    } else if (result.status === 'fail') {
      this.fail += weight;
      if (result.severity === 'critical') {
        this.critical.add(result.checkId);
      }
    } else if (result.status === 'warn') {
      this.warn += weight;
    }
  }

  breakdown(): ScoreBreakdown {
    const denominator = this.pass + this.fail + this.warn / 2;
    const base = {
      passWeight: this.pass,
      failWeight: this.fail,
      warnWeight: this.warn,
      counts: this.counts,
      criticalFailures: [...this.critical].sort(),
    };
    if (denominator === 0) {
      return {
        ...base,
        score: null,
        grade: null,
        explanation: 'No data: no check produced a pass, fail or warning.',
      };
    }
    const score = Math.round((100 * this.pass) / denominator);
    const uncapped = gradeForScore(score);
    let grade = uncapped;
    let gradeCappedFrom: Grade | undefined;
    if (
      this.critical.size > 0 &&
      isGradeAtLeast(uncapped, CRITICAL_FAILURE_GRADE_CAP) &&
      uncapped !== CRITICAL_FAILURE_GRADE_CAP
    ) {
      grade = CRITICAL_FAILURE_GRADE_CAP;
      gradeCappedFrom = uncapped;
    }
    let explanation = `100 × ${round1(this.pass)} / (${round1(
      this.pass,
    )} + ${round1(this.fail)} + ${round1(
      this.warn,
    )}/2) = ${score} → ${uncapped}`;
    if (gradeCappedFrom) {
      explanation += `, capped at ${grade} because critical checks fail (${base.criticalFailures.join(
        ', ',
      )})`;
    }
    return { ...base, score, grade, gradeCappedFrom, explanation };
  }
}

/**
 * Scores results overall and per domain.
 *
 * @public
 */
export function scoreResults(
  results: Iterable<
    Pick<CheckResult, 'checkId' | 'status' | 'severity' | 'domain'>
  >,
): PostureScore {
  const overall = new Accumulator();
  const perDomain = Object.fromEntries(
    DOMAINS.map(d => [d, new Accumulator()]),
  ) as Record<Domain, Accumulator>;
  for (const result of results) {
    overall.add(result);
    perDomain[result.domain]?.add(result);
  }
  return {
    overall: overall.breakdown(),
    domains: Object.fromEntries(
      DOMAINS.map(d => [d, perDomain[d].breakdown()]),
    ) as Record<Domain, ScoreBreakdown>,
  };
}
