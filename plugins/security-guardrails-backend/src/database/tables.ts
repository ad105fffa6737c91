/*
 * The plugin's tables as rows come back from the database (see migrations/):
 * names in one place, and one type per row, so every query is typed. JSON
 * columns are text; the stores parse them. Integers from PostgreSQL bigint
 * columns and counts may come back as strings: read them with Number().
 */
import {
  AuditEventType,
  Domain,
  Grade,
  RequestKind,
  RequestState,
  ResultStatus,
  Severity,
} from '@internal/backstage-plugin-security-guardrails-common';
import { Knex } from 'knex';

export const TABLES = {
  posture: 'guardrails_posture',
  postureFailing: 'guardrails_posture_failing',
  postureFacets: 'guardrails_posture_facets',
  postureHistory: 'guardrails_posture_history',
  scopeHistory: 'guardrails_scope_history',
  checkStatus: 'guardrails_check_status',
  checkHistory: 'guardrails_check_history',
  orgState: 'guardrails_org_state',
  campaigns: 'guardrails_campaigns',
  accessRequests: 'guardrails_access_requests',
  accessApprovers: 'guardrails_access_approvers',
  accessApprovals: 'guardrails_access_approvals',
  audit: 'guardrails_audit',
} as const;

/** The latest posture of each catalog entity. */
export interface PostureRow {
  entity_ref: string;
  owner: string | null;
  system: string | null;
  /** spec.lifecycle of the catalog entity (migration 20261204100000). */
  lifecycle: string | null;
  score: number | null;
  grade: Grade | null;
  /** JSON: domain -> { score, grade } */
  domain_grades: string;
  grade_architecture: Grade | null;
  grade_implementation: Grade | null;
  grade_observability: Grade | null;
  grade_response: Grade | null;
  grade_maintenance: Grade | null;
  /** Critical failing checks. */
  critical_failures: number;
  stale: boolean | number;
  mapped: boolean | number;
  /** JSON: Kubernetes namespaces of its objects */
  namespaces: string;
  /** JSON: ClusterDataStatus[] */
  clusters: string;
  /** JSON: PostureScore */
  score_detail: string;
  /** JSON: CheckResult[] */
  results: string;
  /** JSON: checkId -> [pass, fail, warn] */
  check_counts: string;
  evaluated_at: string;
  /** When the cluster state it was evaluated from was read (ISO); null before 2026-12-05. */
  observed_at?: string | null;
  catalog_etag: string | null;
  /**
   * 1: `results` hold failingSince, and the row is served as stored; 2: the
   * row also holds answer_gzip, answer_etag and failing_checks (ANSWER_FORMAT).
   */
  answer_format: number | null;
  /**
   * The answer the API sends, gzip-compressed, and a weak ETag of it
   * (migration 20261205140000); null before, and once the row's parts
   * changed without a new answer (marked stale).
   */
  answer_gzip?: Buffer | null;
  answer_etag?: string | null;
  /** JSON: the ids of the failing checks, sorted (migration 20261205140000). */
  failing_checks?: string | null;
}

/** Failing check ids per entity, for list filters. */
export interface PostureFailingRow {
  entity_ref: string;
  check_id: string;
  domain: Domain;
}

/** What a posture can be scoped by (migration 20261205100000): its catalog tags, namespaces and clusters. */
export interface PostureFacetRow {
  entity_ref: string;
  facet: PostureFacet;
  value: string;
}

export type PostureFacet = 'tag' | 'namespace' | 'cluster';

/** What a service can be scoped by at a time (a campaign's scope is matched against it). */
export interface ScopeState {
  owner: string | null;
  system: string | null;
  lifecycle: string | null;
  tags: string[];
  namespaces: string[];
  clusters: string[];
}

/** A scope state from the light columns of a posture and its facets (lists sorted). */
export function scopeStateFrom(
  row: {
    owner?: string | null;
    system?: string | null;
    lifecycle?: string | null;
  },
  facets: Array<Pick<PostureFacetRow, 'facet' | 'value'>>,
): ScopeState {
  const values = (facet: PostureFacet) =>
    facets
      .filter(f => f.facet === facet)
      .map(f => f.value)
      .sort();
  return {
    owner: row.owner ?? null,
    system: row.system ?? null,
    lifecycle: row.lifecycle ?? null,
    tags: values('tag'),
    namespaces: values('namespace'),
    clusters: values('cluster'),
  };
}

/** A change of a service's ScopeState (migration 20261205110000). */
export interface ScopeHistoryRow {
  id: number | string;
  entity_ref: string;
  at: string;
  /** JSON: ScopeState; null when the service left the catalog. */
  scope: string | null;
}

/** A score point, appended when an entity's score or a grade changed. */
export interface PostureHistoryRow {
  id: number | string;
  entity_ref: string;
  at: string;
  score: number | null;
  grade: Grade | null;
  /** JSON: domain -> { score, grade } */
  domain_grades: string;
}

/** The current status of each result, with when it began. */
export interface CheckStatusRow {
  entity_ref: string;
  result_key: string;
  check_id: string;
  status: ResultStatus;
  severity: Severity;
  since: string;
}

/** A change of a result's status ('removed' when it went away). */
export interface CheckHistoryRow {
  id: number | string;
  entity_ref: string;
  result_key: string;
  check_id: string;
  from_status: ResultStatus | null;
  to_status: ResultStatus | 'removed';
  at: string;
}

/** Org-wide state: unowned findings, cluster freshness. */
export interface OrgStateRow {
  key: string;
  /** JSON */
  value: string;
  updated_at: string;
}

/** An access, extension or exemption request. */
export interface AccessRequestRow {
  id: string;
  kind: RequestKind;
  parent_id: string | null;
  entity_ref: string;
  cluster: string | null;
  /** JSON: string[] */
  namespaces: string | null;
  role: string | null;
  cluster_role: string | null;
  check_id: string | null;
  /** The campaign an exemption request concerns (migration 20261204120000). */
  campaign_id?: string | null;
  /** JSON: exemption scope */
  scope: string | null;
  duration_seconds: number;
  justification: string;
  ticket: string | null;
  requester: string;
  subject: string | null;
  state: RequestState;
  approvals_required: number;
  created_at: string;
  updated_at: string;
  pending_expires_at: string | null;
  approved_at: string | null;
  applied_at: string | null;
  expires_at: string | null;
  ended_at: string | null;
  ended_by: string | null;
  end_reason: string | null;
  /** JSON: AppliedBinding[] */
  bindings: string;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  revoke_requested: boolean | number;
  expiry_warned: boolean | number;
  version: number;
  /** sha256 of requester, entity, role, cluster and namespaces (access requests); unique while held. */
  holding_key: string | null;
}

/** Who may decide a request (groups or users). */
export interface AccessApproverRow {
  request_id: string;
  approver_ref: string;
}

/** A decision on a request: one per approver. */
export interface AccessApprovalRow {
  request_id: string;
  approver: string;
  decision: 'approve' | 'deny';
  comment: string | null;
  at: string;
}

/** The append-only audit trail of requests. */
export interface AuditRow {
  id: number | string;
  request_id: string;
  request_kind: RequestKind;
  event: AuditEventType;
  actor: string;
  entity_ref: string;
  at: string;
  reason: string | null;
  /** JSON */
  details: string | null;
}

declare module 'knex/types/tables' {
  interface Tables {
    guardrails_posture: PostureRow;
    guardrails_posture_failing: PostureFailingRow;
    guardrails_posture_history: Knex.CompositeTableType<
      PostureHistoryRow,
      Omit<PostureHistoryRow, 'id'>
    >;
    guardrails_check_status: CheckStatusRow;
    guardrails_check_history: Knex.CompositeTableType<
      CheckHistoryRow,
      Omit<CheckHistoryRow, 'id'>
    >;
    guardrails_org_state: OrgStateRow;
    guardrails_access_requests: AccessRequestRow;
    guardrails_access_approvers: AccessApproverRow;
    guardrails_access_approvals: AccessApprovalRow;
    guardrails_audit: Knex.CompositeTableType<AuditRow, Omit<AuditRow, 'id'>>;
  }
}

/** Splits writes and `IN` lists into parts the databases accept. */
export function chunks<T>(items: T[], size = 100): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(items.slice(i, i + size));
  return out;
}

/** A JSON column, or the fallback when it is empty or unreadable. */
export function parseJson<T>(value: unknown, fallback: T): T {
  if (typeof value !== 'string') return fallback;
  try {
    return JSON.parse(value) as T;
  } catch {
    return fallback;
  }
}

/** A campaign (migration 20261204110000). */
export interface CampaignRow {
  id: string;
  name: string;
  description: string;
  owner: string;
  state: string;
  starts_at: string;
  deadline: string;
  /** JSON: CampaignTarget */
  target: string;
  /** JSON: CampaignScope */
  scope: string;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
  ended_at: string | null;
  outcome: string | null;
}
