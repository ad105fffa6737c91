import { Domain, ResultStatus } from './checks';
import { Grade } from './scoring';
import type { ClusterDataStatus, PostureResult } from './api';

/*
 * Shapes of the posture endpoints: lists, history and org-wide rollups.
 */

/** @public */
export interface DomainGrade {
  score: number | null;
  grade: Grade | null;
}

/**
 * One row of `GET /posture`: a service's posture without its findings.
 *
 * @public
 */
export interface PostureListItem {
  entityRef: string;
  owner?: string;
  system?: string;
  /** The catalog entity's spec.lifecycle. */
  lifecycle?: string;
  score: number | null;
  grade: Grade | null;
  domains: Record<Domain, DomainGrade>;
  /** Failing checks whose most severe failing result is critical (see `failureCounts`). */
  criticalFailures: number;
  /** Ids of the failing checks (see `failureCounts`). */
  failingChecks: string[];
  stale: boolean;
  mapped: boolean;
  evaluatedAt: string;
}

/** @public */
export interface PostureListResponse {
  items: PostureListItem[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
}

/** @public */
export interface ScorePoint {
  at: string;
  score: number | null;
  grade: Grade | null;
  domains: Record<Domain, DomainGrade>;
}

/** @public */
export interface CheckStatusChange {
  at: string;
  checkId: string;
  /** The (check, resource, container) the change is about; see `resultKey`. */
  resultKey: string;
  from: ResultStatus | null;
  /** `removed` when the resource or container went away. */
  to: ResultStatus | 'removed';
}

/** @public */
export interface PostureHistory {
  entityRef: string;
  from: string;
  to: string;
  /** The score as it was at `from` (the last change before the window), then every change. */
  scores: ScorePoint[];
  checks: CheckStatusChange[];
}

/** @public */
export type SummaryGroupBy =
  | 'owner'
  | 'system'
  | 'lifecycle'
  | 'domain'
  | 'namespace';

/** @public */
export interface SummaryGroup {
  key: string;
  services: number;
  averageScore: number | null;
  grades: Record<Grade | 'none', number>;
  /** Share (0..1) of services with data graded B or better. */
  shareBOrBetter: number | null;
  /** Critical failing checks summed over the group's services (see `failureCounts`). */
  criticalFailures: number;
  servicesWithCriticalFailures: number;
  /** Average score now minus 7 / 30 days ago, over services scored both times. */
  change7d: number | null;
  change30d: number | null;
}

/** @public */
export interface CheckPassRate {
  checkId: string;
  domain: Domain;
  pass: number;
  fail: number;
  warn: number;
  /** Failing results an approved exemption covers. */
  exempt: number;
  /** Results where the check did not apply. */
  notApplicable: number;
  /** pass / (pass + fail + warn), or null when nothing was evaluated. */
  rate: number | null;
}

/** @public */
export interface ScoreMover {
  entityRef: string;
  owner?: string;
  from: number;
  to: number;
  delta: number;
}

/** @public */
export interface PostureSummary {
  groupBy: SummaryGroupBy;
  generatedAt: string;
  overall: SummaryGroup;
  groups: SummaryGroup[];
  passRateByCheck: CheckPassRate[];
  mostImproved: { days7: ScoreMover[]; days30: ScoreMover[] };
  mostRegressed: { days7: ScoreMover[]; days30: ScoreMover[] };
  /** Clusters and when they were last read. */
  clusters: Array<{
    cluster: string;
    readAt: string | null;
    status: string;
    message?: string;
  }>;
}

/** @public */
export interface TrendPoint {
  date: string;
  services: number;
  averageScore: number | null;
  shareBOrBetter: number | null;
}

/** @public */
export interface PostureTrend {
  days: number;
  points: TrendPoint[];
}

/**
 * `GET /summary/standing-access`: every binding that
 * `maint.standing-privilege` or `maint.expired-binding` flags (fail or warn),
 * owned by a service or not. Owned findings are listed only for entities the
 * caller may read.
 *
 * @public
 */
export interface StandingAccessFindings {
  items: Array<{
    /** The service the binding belongs to; absent for unowned bindings. */
    entityRef?: string;
    /** The finding, with when it began failing where that is known. */
    result: PostureResult;
  }>;
  /** How many findings there were before the list was capped. */
  total: number;
}

/**
 * Findings about objects that map to no catalog entity (cluster-wide RBAC,
 * system namespaces): shown in the org view as unowned.
 *
 * @public
 */
export interface UnownedFindings {
  evaluatedAt: string | null;
  /** The findings, each with when it began failing where that is known. */
  results: PostureResult[];
  /** How many fail/warn results there were before the list was capped. */
  total: number;
}

/**
 * `GET /status`: whether every entity the catalog maps has a posture, and
 * why those that have none are waiting. Only entities the caller may see are
 * listed.
 *
 * @public
 */
export interface PostureStatus {
  entities: {
    /** Entities of the posture kinds with a Kubernetes mapping in the catalog. */
    mapped: number;
    /** Of those, how many have a stored posture. */
    evaluated: number;
    /** Stored, but computed from an older version of the catalog entity. */
    outdated: number;
  };
  /** Mapped entities without a posture yet (the first 100 the caller may see), and why. */
  waiting: Array<{ entityRef: string; reason: string }>;
  /** The clusters as last read. */
  clusters: ClusterDataStatus[];
}
