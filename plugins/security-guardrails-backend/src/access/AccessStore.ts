/*
 * What the access services keep: requests, their decisions and approver
 * groups, and the audit trail. Every state change is a compare-and-set that
 * writes its audit event with it, so a move happens once and is recorded
 * once, even across replicas. DatabaseAccessStore implements it over the
 * plugin's database (SQLite or PostgreSQL).
 */
import {
  AccessRequest,
  AppliedBinding,
  AuditEvent,
  AuditEventType,
  RequestKind,
  RequestState,
} from '@internal/backstage-plugin-security-guardrails-common';

export interface NewRequest {
  id: string;
  kind: RequestKind;
  parentId?: string;
  entityRef: string;
  cluster?: string;
  namespaces?: string[];
  role?: string;
  clusterRole?: string;
  checkId?: string;
  campaignId?: string;
  scope?: AccessRequest['scope'];
  durationSeconds: number;
  justification: string;
  ticket?: string;
  requester: string;
  subject?: string;
  approvalsRequired: number;
  approverGroups: string[];
  pendingExpiresAt: string;
}

/** Columns that moves may change besides the state. */
export interface RequestPatch {
  approvedAt?: string;
  appliedAt?: string;
  expiresAt?: string;
  endedAt?: string;
  endedBy?: string;
  endReason?: string;
  bindings?: AppliedBinding[];
  attempts?: number;
  nextAttemptAt?: string | null;
  lastError?: string | null;
  revokeRequested?: boolean;
  expiryWarned?: boolean;
}

export interface AuditInput {
  actor: string;
  reason?: string;
  details?: Record<string, unknown>;
}

export interface RequestFilter {
  ids?: string[];
  requester?: string;
  states?: RequestState[];
  kinds?: RequestKind[];
  entityRef?: string;
  parentId?: string;
  /** Requests whose parent is any of these (extensions of several grants). */
  parentIds?: string[];
  /** Pending requests these approver groups (or the user) may decide. */
  approvableBy?: string[];
  /** Either requested by this user, or decidable by these groups. */
  visibleTo?: { user: string; groups: string[] };
  /** Requests this user approved or denied. */
  decidedBy?: string;
}

/** How much of each kind of due work one sweep batch takes. */
export interface DueLimits {
  timedOut: number;
  toApply: number;
  toEnd: number;
  toWarn: number;
}

export const DEFAULT_DUE_LIMITS: DueLimits = {
  timedOut: 500,
  toApply: 500,
  toEnd: 2000,
  toWarn: 500,
};

export interface AuditFilter {
  actor?: string;
  entityRef?: string;
  requestId?: string;
  /** Only events of requests the user requested or decided. */
  involving?: string;
  from?: string;
  to?: string;
}

/** Work the sweep has to do, at most a batch of each kind. */
export interface DueWork {
  timedOut: AccessRequest[];
  toApply: AccessRequest[];
  toEnd: AccessRequest[];
  toWarn: AccessRequest[];
  /** A list was cut at its batch size: more is due than was returned. */
  more: boolean;
}

type RequestRef = Pick<AccessRequest, 'id' | 'kind' | 'entityRef'>;

/** One move of `transitionMany`: what `transition` takes, for one request. */
export interface RequestMove {
  request: RequestRef;
  from: RequestState;
  to: RequestState;
  audit: AuditInput;
  patch?: RequestPatch;
}

/** A new request the database refused because another holds its place (one pending extension per grant). */
export class RequestConflictError extends Error {
  constructor(
    message: string,
    /** The request that holds the place, when it could be found. */
    readonly existing?: AccessRequest,
  ) {
    super(message);
    this.name = 'RequestConflictError';
  }
}

/** A grant the requester may not hold: they hold (or await) `holding` already, the limit is `limit`. */
export class HoldingLimitError extends Error {
  constructor(
    readonly requester: string,
    readonly holding: number,
    readonly limit: number,
  ) {
    super(`${requester} holds ${holding} grant(s); the limit is ${limit}`);
    this.name = 'HoldingLimitError';
  }
}

/** What an extension's approval did: extended the grant, or why not. */
export type ExtendOutcome =
  | 'extended'
  | 'extension-not-pending'
  | 'grant-not-active';

export interface AccessStore {
  /**
   * Stores a new pending request and its `requested` event. With
   * `holdingLimit`, an access request is refused (HoldingLimitError) when
   * its requester already has that many pending, approved or active: counted
   * and inserted under a per-requester lock, so concurrent requests cannot
   * each pass.
   */
  create(
    input: NewRequest,
    now: Date,
    audit: AuditInput,
    options?: { holdingLimit?: number },
  ): Promise<AccessRequest>;
  get(id: string): Promise<AccessRequest | undefined>;
  /** Newest first; `after` is the `createdAt|id` of the previous page's last. */
  list(
    filter: RequestFilter,
    page?: { limit: number; after?: string },
  ): Promise<AccessRequest[]>;
  /** How many access requests a user has pending, approved or active. */
  countHolding(requester: string): Promise<number>;
  /** Records a decision; a second one by the same approver is a conflict. */
  addDecision(
    id: string,
    approver: string,
    decision: 'approve' | 'deny',
    comment: string | undefined,
    now: Date,
  ): Promise<void>;
  removeDecision(id: string, approver: string): Promise<void>;
  /**
   * Moves a request from one state to another if it is still in `from`,
   * with the move's audit event; false when another actor moved it first.
   * With `holdingLimit`, the move is refused (HoldingLimitError) when the
   * requester already holds that many other approved or active grants,
   * counted under the same per-requester lock as `create`.
   */
  transition(
    request: RequestRef,
    from: RequestState,
    to: RequestState,
    now: Date,
    audit: AuditInput,
    patch?: RequestPatch,
    options?: { holdingLimit?: { requester: string; limit: number } },
  ): Promise<boolean>;
  /** Changes columns of a request still in `state`, optionally with an audit event. */
  update(
    request: RequestRef,
    state: RequestState,
    now: Date,
    patch: RequestPatch,
    audit?: { event: AuditEventType } & AuditInput,
  ): Promise<boolean>;
  /**
   * Approves an extension and moves its grant's expiry `from` → `to` in one
   * transaction: both or neither. The grant must still be active with the
   * expiry the new one was computed from.
   */
  extendGrant(options: {
    extension: RequestRef;
    grant: RequestRef;
    from: string;
    to: string;
    now: Date;
    audit: AuditInput;
  }): Promise<ExtendOutcome>;
  /**
   * Several moves in one transaction, each a compare-and-set with its audit
   * event as `transition` makes it; the ids of the requests that moved (the
   * others had been moved by another actor first).
   */
  transitionMany(moves: RequestMove[], now: Date): Promise<Set<string>>;
  /** A lease on work for a request: one worker at a time, across replicas, until `leaseUntil`. */
  claim(
    id: string,
    state: RequestState,
    now: Date,
    leaseUntil: Date,
  ): Promise<boolean>;
  /** Leases on several requests in one statement; the ids this worker now holds. */
  claimMany(
    ids: string[],
    state: RequestState,
    now: Date,
    leaseUntil: Date,
  ): Promise<Set<string>>;
  /** Work the sweep has to do at `now`, at most `limits` of each kind. */
  due(
    now: Date,
    warnBeforeSeconds: number,
    limits?: DueLimits,
  ): Promise<DueWork>;
  /** Grant ids that currently hold access, for reconciling managed bindings. */
  activeGrantIds(): Promise<Set<string>>;
  /** Appends an event that is not a state change (failures, reconciliation). */
  appendAudit(
    request: RequestRef,
    event: AuditEventType,
    now: Date,
    audit: AuditInput,
  ): Promise<void>;
  audit(
    filter: AuditFilter,
    page: { limit: number; before?: number },
  ): Promise<AuditEvent[]>;
}
