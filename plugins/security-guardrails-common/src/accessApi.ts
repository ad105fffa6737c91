/*
 * Shapes of the time-limited access and exemption endpoints.
 */

/**
 * The life of a request.
 *
 * Access: `pending → approved → active → expired | revoked`,
 * `pending → denied | cancelled | timed-out`, `approved → failed` when
 * applying keeps failing. Exemptions are `active` from their approval.
 * Extensions of a grant are `pending → approved` (or denied...).
 *
 * @public
 */
export const REQUEST_STATES = [
  'pending',
  'approved',
  'active',
  'expired',
  'revoked',
  'denied',
  'cancelled',
  'timed-out',
  'failed',
] as const;

/** @public */
export type RequestState = (typeof REQUEST_STATES)[number];

/** @public */
export type RequestKind = 'access' | 'exemption' | 'extension';

/** @public */
export interface AppliedBinding {
  cluster: string;
  namespace: string;
  name: string;
  uid?: string;
}

/** @public */
export interface ApprovalRecord {
  approver: string;
  decision: 'approve' | 'deny';
  comment?: string;
  at: string;
}

/**
 * A request for temporary access, an exemption, or an extension of a grant.
 *
 * @public
 */
/** Every request's justification: at least this many characters once trimmed. */
export const MIN_JUSTIFICATION_LENGTH = 10;

export interface AccessRequest {
  id: string;
  kind: RequestKind;
  /** For extensions: the grant being extended. */
  parentId?: string;
  entityRef: string;
  /** Access: the cluster and namespaces the RoleBindings go into. */
  cluster?: string;
  namespaces?: string[];
  /** Access: the grantable role and the ClusterRole it binds. */
  role?: string;
  clusterRole?: string;
  /** Exemption: the check exempted, optionally for one resource. */
  checkId?: string;
  /** Exemption: the campaign it concerns, when the requester named one. */
  campaignId?: string;
  scope?: {
    cluster?: string;
    namespace?: string;
    kind?: string;
    name?: string;
  };
  durationSeconds: number;
  justification: string;
  ticket?: string;
  requester: string;
  /** Access: the Kubernetes RBAC user the RoleBindings bind. */
  subject?: string;
  state: RequestState;
  approvalsRequired: number;
  approvals: ApprovalRecord[];
  /** Who may still approve: group or user refs from the policy. */
  approverGroups: string[];
  createdAt: string;
  updatedAt: string;
  /** A pending request times out at this time. */
  pendingExpiresAt?: string;
  approvedAt?: string;
  /** When access was applied: the clock starts here. */
  appliedAt?: string;
  expiresAt?: string;
  endedAt?: string;
  endedBy?: string;
  endReason?: string;
  bindings: AppliedBinding[];
  /** Set while applying or revoking fails; retried with backoff. */
  lastError?: string;
  attempts: number;
  nextAttemptAt?: string;
  /** Early revocation was asked and is being carried out. */
  revokeRequested?: boolean;
}

/** @public */
export interface AccessRequestList {
  items: AccessRequest[];
  nextCursor?: string;
}

/** @public */
export const AUDIT_EVENTS = [
  'requested',
  'approved',
  'denied',
  'cancelled',
  'timed-out',
  'applied',
  'extended',
  'revoked',
  'expired',
  'failed',
  'reconciled',
] as const;

/** @public */
export type AuditEventType = (typeof AUDIT_EVENTS)[number];

/**
 * One line of the append-only history.
 *
 * @public
 */
export interface AuditEvent {
  id: number;
  requestId: string;
  requestKind: RequestKind;
  event: AuditEventType;
  actor: string;
  entityRef: string;
  at: string;
  reason?: string;
  details?: Record<string, unknown>;
}

/** @public */
export interface AuditList {
  items: AuditEvent[];
  nextCursor?: string;
}

/**
 * What the request dialog offers for a role.
 *
 * @public
 */
export interface GrantableRole {
  name: string;
  clusterRole: string;
  description?: string;
  defaultDurationSeconds: number;
  maxDurationSeconds: number;
  approvalsRequired: number;
  approvers: Array<'owners' | 'security-leads'>;
  requesterMustBeOwner: boolean;
  extensionNeedsApproval: boolean;
}

/** @public */
export interface AccessPolicyInfo {
  roles: GrantableRole[];
  maxActiveGrantsPerUser: number;
  pendingTimeoutSeconds: number;
  exemptions: { maxDurationSeconds: number; approvalsRequired: number };
  securityLeadsGroup: string;
}

/**
 * Where access to an entity can be granted: the clusters and namespaces its
 * objects are in.
 *
 * @public
 */
/** A namespace where the entity's objects are but access may not be granted, and why. */
export interface TargetExclusion {
  cluster: string;
  namespace: string;
  reason: string;
}

export interface AccessTargets {
  entityRef: string;
  /** What a request may name: clusters and namespaces. */
  targets: Array<{ cluster: string; namespaces: string[] }>;
  /** Where the entity's objects also are, but access is not granted, and why. */
  excluded: TargetExclusion[];
}
