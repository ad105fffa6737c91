/*
 * The access store over the plugin's database (SQLite or PostgreSQL): see
 * AccessStore for what it keeps. State changes are compare-and-set
 * (`UPDATE ... WHERE id = ? AND state = ?`) and write their audit event in
 * the same transaction. The tables are in database/tables.ts.
 *
 * Over 400 lines: one class per store, each method one query or one compare-and-set.
 */
import { createHash } from 'node:crypto';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  AccessRequest,
  AppliedBinding,
  ApprovalRecord,
  AuditEvent,
  AuditEventType,
  RequestKind,
  RequestState,
} from '@internal/backstage-plugin-security-guardrails-common';
import { Knex } from 'knex';
import { connect } from '../database/migrate';
import {
  AccessRequestRow,
  parseJson as json,
  TABLES,
} from '../database/tables';
import {
  AccessStore,
  AuditFilter,
  AuditInput,
  DEFAULT_DUE_LIMITS,
  DueLimits,
  DueWork,
  ExtendOutcome,
  HoldingLimitError,
  NewRequest,
  RequestConflictError,
  RequestFilter,
  RequestMove,
  RequestPatch,
} from './AccessStore';
import { assertTransition } from './stateMachine';

const REQUESTS = TABLES.accessRequests;
const APPROVALS = TABLES.accessApprovals;
const APPROVERS = TABLES.accessApprovers;
const AUDIT = TABLES.audit;

/** The states that count towards the per-user cap at creation. */
const COUNTED: RequestState[] = ['pending', 'approved', 'active'];

function patchColumns(patch: RequestPatch): Partial<AccessRequestRow> {
  const c: Partial<AccessRequestRow> = {};
  if (patch.approvedAt !== undefined) c.approved_at = patch.approvedAt;
  if (patch.appliedAt !== undefined) c.applied_at = patch.appliedAt;
  if (patch.expiresAt !== undefined) c.expires_at = patch.expiresAt;
  if (patch.endedAt !== undefined) c.ended_at = patch.endedAt;
  if (patch.endedBy !== undefined) c.ended_by = patch.endedBy;
  if (patch.endReason !== undefined) c.end_reason = patch.endReason;
  if (patch.bindings !== undefined) c.bindings = JSON.stringify(patch.bindings);
  if (patch.attempts !== undefined) c.attempts = patch.attempts;
  if (patch.nextAttemptAt !== undefined)
    c.next_attempt_at = patch.nextAttemptAt;
  if (patch.lastError !== undefined) c.last_error = patch.lastError;
  if (patch.revokeRequested !== undefined)
    c.revoke_requested = patch.revokeRequested;
  if (patch.expiryWarned !== undefined) c.expiry_warned = patch.expiryWarned;
  return c;
}

function toRequest(
  row: AccessRequestRow,
  approvals: ApprovalRecord[],
  approverGroups: string[],
): AccessRequest {
  const opt = (v: unknown) =>
    v === null || v === undefined ? undefined : (v as string);
  return {
    id: row.id,
    kind: row.kind,
    parentId: opt(row.parent_id),
    entityRef: row.entity_ref,
    cluster: opt(row.cluster),
    namespaces: json<string[] | undefined>(row.namespaces, undefined),
    role: opt(row.role),
    clusterRole: opt(row.cluster_role),
    checkId: opt(row.check_id),
    campaignId: opt(row.campaign_id),
    scope: json<AccessRequest['scope']>(row.scope, undefined),
    durationSeconds: Number(row.duration_seconds),
    justification: row.justification,
    ticket: opt(row.ticket),
    requester: row.requester,
    subject: opt(row.subject),
    state: row.state,
    approvalsRequired: Number(row.approvals_required),
    approvals,
    approverGroups,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    pendingExpiresAt: opt(row.pending_expires_at),
    approvedAt: opt(row.approved_at),
    appliedAt: opt(row.applied_at),
    expiresAt: opt(row.expires_at),
    endedAt: opt(row.ended_at),
    endedBy: opt(row.ended_by),
    endReason: opt(row.end_reason),
    bindings: json<AppliedBinding[]>(row.bindings, []),
    lastError: opt(row.last_error),
    attempts: Number(row.attempts ?? 0),
    nextAttemptAt: opt(row.next_attempt_at),
    revokeRequested: Boolean(row.revoke_requested),
  };
}

/** What makes two access requests the same: who, on what, which role, where. */
function holdingKey(input: NewRequest): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        input.requester,
        input.entityRef,
        input.role ?? '',
        input.cluster ?? '',
        [...(input.namespaces ?? [])].sort(),
      ]),
    )
    .digest('hex');
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (
    err?.code === '23505' ||
    err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed|duplicate key/i.test(err?.message ?? '')
  );
}

export class DatabaseAccessStore implements AccessStore {
  readonly #db: Knex;

  /** The store over the plugin's database, migrated unless the deployment manages migrations. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseAccessStore> {
    return new DatabaseAccessStore(await connect(options.database));
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  async #withApprovals(rows: AccessRequestRow[]): Promise<AccessRequest[]> {
    if (rows.length === 0) return [];
    const ids = rows.map(r => r.id);
    const [approvals, approvers] = await Promise.all([
      this.#db(APPROVALS).whereIn('request_id', ids).orderBy('at', 'asc'),
      this.#db(APPROVERS)
        .whereIn('request_id', ids)
        .orderBy('approver_ref', 'asc'),
    ]);
    const byId = new Map<string, ApprovalRecord[]>();
    for (const a of approvals) {
      const list = byId.get(a.request_id) ?? [];
      list.push({
        approver: a.approver,
        decision: a.decision,
        comment: a.comment ?? undefined,
        at: a.at,
      });
      byId.set(a.request_id, list);
    }
    const refsById = new Map<string, string[]>();
    for (const a of approvers) {
      const list = refsById.get(a.request_id) ?? [];
      list.push(a.approver_ref);
      refsById.set(a.request_id, list);
    }
    return rows.map(r =>
      toRequest(r, byId.get(r.id) ?? [], refsById.get(r.id) ?? []),
    );
  }

  async #audit(
    tx: Knex,
    request: { id: string; kind: RequestKind; entityRef: string },
    event: AuditEventType,
    at: string,
    input: AuditInput,
  ) {
    await tx(AUDIT).insert({
      request_id: request.id,
      request_kind: request.kind,
      event,
      actor: input.actor,
      entity_ref: request.entityRef,
      at,
      reason: input.reason ?? null,
      details: input.details ? JSON.stringify(input.details) : null,
    });
  }

  /** Stores a new pending request and its `requested` event. */
  async create(
    input: NewRequest,
    now: Date,
    audit: AuditInput,
    options: { holdingLimit?: number } = {},
  ): Promise<AccessRequest> {
    const at = now.toISOString();
    try {
      await this.#insert(input, at, audit, options.holdingLimit);
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      throw await this.#conflictFor(input, e);
    }
    return (await this.get(input.id))!;
  }

  /**
   * Serialises the requester's counting and writing: a transaction-scoped
   * advisory lock on PostgreSQL; SQLite runs one transaction at a time.
   */
  async #lockRequester(tx: Knex.Transaction, requester: string) {
    if (this.#db.client.dialect === 'postgresql') {
      await tx.raw('select pg_advisory_xact_lock(hashtext(?))', [
        `guardrails-holding:${requester}`,
      ]);
    }
  }

  async #count(
    db: Knex,
    requester: string,
    states: RequestState[],
    exceptId?: string,
  ): Promise<number> {
    const q = db(REQUESTS)
      .where({ requester, kind: 'access' })
      .whereIn('state', states);
    if (exceptId) q.whereNot('id', exceptId);
    const row = await q.count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  /** What a unique index refused a new request for: the request that holds its place. */
  async #conflictFor(input: NewRequest, error: unknown): Promise<unknown> {
    if (input.kind === 'extension') {
      const [existing] = await this.list(
        { kinds: ['extension'], parentId: input.parentId, states: ['pending'] },
        { limit: 1 },
      );
      return new RequestConflictError(
        `grant ${input.parentId} already has a pending extension`,
        existing,
      );
    }
    const row = await this.#db(REQUESTS)
      .where({ holding_key: holdingKey(input), kind: 'access' })
      .whereIn('state', COUNTED)
      .first();
    if (!row) return error;
    const [existing] = await this.#withApprovals([row]);
    return new RequestConflictError(
      `${input.requester} already has this access requested or held (${existing.id})`,
      existing,
    );
  }

  async #insert(
    input: NewRequest,
    at: string,
    audit: AuditInput,
    holdingLimit?: number,
  ) {
    await this.#db.transaction(async tx => {
      if (holdingLimit !== undefined && input.kind === 'access') {
        await this.#lockRequester(tx, input.requester);
        const holding = await this.#count(tx, input.requester, COUNTED);
        if (holding >= holdingLimit)
          throw new HoldingLimitError(input.requester, holding, holdingLimit);
      }
      await tx(REQUESTS).insert({
        id: input.id,
        kind: input.kind,
        parent_id: input.parentId ?? null,
        entity_ref: input.entityRef,
        cluster: input.cluster ?? null,
        namespaces: input.namespaces ? JSON.stringify(input.namespaces) : null,
        role: input.role ?? null,
        cluster_role: input.clusterRole ?? null,
        check_id: input.checkId ?? null,
        campaign_id: input.campaignId ?? null,
        scope: input.scope ? JSON.stringify(input.scope) : null,
        duration_seconds: input.durationSeconds,
        justification: input.justification,
        ticket: input.ticket ?? null,
        requester: input.requester,
        subject: input.subject ?? null,
        state: 'pending',
        approvals_required: input.approvalsRequired,
        created_at: at,
        updated_at: at,
        pending_expires_at: input.pendingExpiresAt,
        holding_key: input.kind === 'access' ? holdingKey(input) : null,
        bindings: '[]',
        attempts: 0,
        version: 0,
      });
      const refs = [...new Set(input.approverGroups)];
      if (refs.length) {
        await tx(APPROVERS).insert(
          refs.map(approver_ref => ({ request_id: input.id, approver_ref })),
        );
      }
      await this.#audit(tx, input, 'requested', at, audit);
    });
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    const row = await this.#db(REQUESTS).where('id', id).first();
    return row ? (await this.#withApprovals([row]))[0] : undefined;
  }

  async list(
    filter: RequestFilter,
    page: { limit: number; after?: string } = { limit: 100 },
  ): Promise<AccessRequest[]> {
    const q = this.#db(REQUESTS);
    if (filter.ids) q.whereIn('id', filter.ids);
    if (filter.requester) q.where('requester', filter.requester);
    if (filter.states?.length) q.whereIn('state', filter.states);
    if (filter.kinds?.length) q.whereIn('kind', filter.kinds);
    if (filter.entityRef) q.where('entity_ref', filter.entityRef);
    if (filter.parentId) q.where('parent_id', filter.parentId);
    if (filter.parentIds) q.whereIn('parent_id', filter.parentIds);
    const decidableBy = (b: Knex.QueryBuilder, refs: string[]) =>
      b.whereExists(
        this.#db(APPROVERS)
          .whereRaw(`${APPROVERS}.request_id = ${REQUESTS}.id`)
          .whereIn('approver_ref', refs),
      );
    if (filter.approvableBy) {
      const refs = filter.approvableBy;
      q.where('state', 'pending').andWhere(b => decidableBy(b, refs));
    }
    if (filter.decidedBy) {
      const user = filter.decidedBy;
      q.whereExists(
        this.#db(APPROVALS)
          .whereRaw(`${APPROVALS}.request_id = ${REQUESTS}.id`)
          .where('approver', user),
      );
    }
    if (filter.visibleTo) {
      const { user, groups } = filter.visibleTo;
      q.andWhere(b => {
        b.where('requester', user)
          .orWhere(bb => decidableBy(bb, [user, ...groups]))
          .orWhereExists(
            this.#db(APPROVALS)
              .whereRaw(`${APPROVALS}.request_id = ${REQUESTS}.id`)
              .where('approver', user),
          );
      });
    }
    // Newest first; ids are UUIDs, so created_at then id gives a stable order.
    if (page.after) {
      const [createdAt, id] = page.after.split('|');
      q.andWhere(b =>
        b
          .where('created_at', '<', createdAt)
          .orWhere(bb =>
            bb.where('created_at', createdAt).where('id', '<', id),
          ),
      );
    }
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit);
    return this.#withApprovals(rows);
  }

  async countHolding(requester: string): Promise<number> {
    return this.#count(this.#db, requester, COUNTED);
  }

  /**
   * Records a decision. One per approver: a second decision by the same
   * person is a conflict (approvals are distinct by construction).
   */
  async addDecision(
    id: string,
    approver: string,
    decision: 'approve' | 'deny',
    comment: string | undefined,
    now: Date,
  ) {
    try {
      await this.#db(APPROVALS).insert({
        request_id: id,
        approver,
        decision,
        comment: comment ?? null,
        at: now.toISOString(),
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError(
          `Refused by rule distinct-approvers: ${approver} has already decided on this request`,
        );
      }
      throw e;
    }
  }

  async removeDecision(id: string, approver: string) {
    await this.#db(APPROVALS).where({ request_id: id, approver }).delete();
  }

  /**
   * Moves a request from one state to another if it is still in `from`,
   * writing the move's audit event in the same transaction. Returns false
   * when another actor moved it first.
   */
  async transition(
    request: Pick<AccessRequest, 'id' | 'kind' | 'entityRef'>,
    from: RequestState,
    to: RequestState,
    now: Date,
    audit: AuditInput,
    patch: RequestPatch = {},
    options: { holdingLimit?: { requester: string; limit: number } } = {},
  ): Promise<boolean> {
    const t = assertTransition(request.kind, from, to);
    const at = now.toISOString();
    return this.#db.transaction(async tx => {
      const limit = options.holdingLimit;
      if (limit) {
        await this.#lockRequester(tx, limit.requester);
        const holding = await this.#count(
          tx,
          limit.requester,
          ['approved', 'active'],
          request.id,
        );
        if (holding >= limit.limit)
          throw new HoldingLimitError(limit.requester, holding, limit.limit);
      }
      return this.#move(tx, { request, from, to, audit, patch }, t.event, at);
    });
  }

  /** One compare-and-set move with its audit event, inside `tx`. */
  async #move(
    tx: Knex.Transaction,
    move: RequestMove,
    event: AuditEventType,
    at: string,
  ): Promise<boolean> {
    const updated = await tx(REQUESTS)
      .where({ id: move.request.id, state: move.from })
      .update({
        ...patchColumns(move.patch ?? {}),
        state: move.to,
        updated_at: at,
        version: tx.raw('version + 1'),
      });
    if (Number(updated) !== 1) return false;
    await this.#audit(tx, move.request, event, at, move.audit);
    return true;
  }

  /**
   * Several moves in one transaction (one commit instead of one per move,
   * which is what the expiry sweep spends its time on); each is the same
   * compare-and-set with its audit event as `transition`.
   */
  async transitionMany(moves: RequestMove[], now: Date): Promise<Set<string>> {
    const events = moves.map(
      m => assertTransition(m.request.kind, m.from, m.to).event,
    );
    const at = now.toISOString();
    const moved = new Set<string>();
    if (moves.length === 0) return moved;
    await this.#db.transaction(async tx => {
      for (const [i, move] of moves.entries()) {
        if (await this.#move(tx, move, events[i], at))
          moved.add(move.request.id);
      }
    });
    return moved;
  }

  /** Changes columns of a request still in `state`, optionally with an audit event. */
  async update(
    request: Pick<AccessRequest, 'id' | 'kind' | 'entityRef'>,
    state: RequestState,
    now: Date,
    patch: RequestPatch,
    audit?: { event: AuditEventType } & AuditInput,
  ): Promise<boolean> {
    const at = now.toISOString();
    return this.#db.transaction(async tx => {
      const updated = await tx(REQUESTS)
        .where({ id: request.id, state })
        .update({
          ...patchColumns(patch),
          updated_at: at,
          version: tx.raw('version + 1'),
        });
      if (Number(updated) !== 1) return false;
      if (audit) await this.#audit(tx, request, audit.event, at, audit);
      return true;
    });
  }

  async extendGrant(options: {
    extension: Pick<AccessRequest, 'id' | 'kind' | 'entityRef'>;
    grant: Pick<AccessRequest, 'id' | 'kind' | 'entityRef'>;
    from: string;
    to: string;
    now: Date;
    audit: AuditInput;
  }): Promise<ExtendOutcome> {
    const { extension, grant, from, to, audit } = options;
    const at = options.now.toISOString();
    const approved = assertTransition('extension', 'pending', 'approved');
    class Rollback extends Error {
      constructor(readonly outcome: ExtendOutcome) {
        super(outcome);
      }
    }
    try {
      await this.#db.transaction(async tx => {
        const moved = await tx(REQUESTS)
          .where({ id: extension.id, state: 'pending' })
          .update({
            state: 'approved',
            approved_at: at,
            updated_at: at,
            version: tx.raw('version + 1'),
          });
        if (Number(moved) !== 1) throw new Rollback('extension-not-pending');
        const extended = await tx(REQUESTS)
          .where({ id: grant.id, state: 'active', expires_at: from })
          .update({
            expires_at: to,
            expiry_warned: false,
            updated_at: at,
            version: tx.raw('version + 1'),
          });
        if (Number(extended) !== 1) throw new Rollback('grant-not-active');
        await this.#audit(tx, extension, approved.event, at, audit);
        await this.#audit(tx, grant, 'extended', at, {
          ...audit,
          details: { extensionId: extension.id, from, to },
        });
      });
      return 'extended';
    } catch (e) {
      if (e instanceof Rollback) return e.outcome;
      throw e;
    }
  }

  /**
   * Takes a lease on work for a request (applying or revoking): only one
   * worker at a time, across replicas, until `leaseUntil`.
   */
  async claim(
    id: string,
    state: RequestState,
    now: Date,
    leaseUntil: Date,
  ): Promise<boolean> {
    return (await this.claimMany([id], state, now, leaseUntil)).has(id);
  }

  /**
   * Leases on several requests in one UPDATE … RETURNING: a request is
   * taken when it is in `state` and no lease on it is running; the ids
   * returned are exactly those this statement took.
   */
  async claimMany(
    ids: string[],
    state: RequestState,
    now: Date,
    leaseUntil: Date,
  ): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const at = now.toISOString();
    const taken: Array<{ id: string }> = await this.#db(REQUESTS)
      .whereIn('id', ids)
      .where({ state })
      .andWhere(b =>
        b.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', at),
      )
      .update({
        next_attempt_at: leaseUntil.toISOString(),
        version: this.#db.raw('version + 1'),
      })
      .returning('id');
    return new Set(taken.map(r => r.id));
  }

  /** Work the sweep has to do at `now`, at most `limits` of each kind. */
  async due(
    now: Date,
    warnBeforeSeconds: number,
    limits: DueLimits = DEFAULT_DUE_LIMITS,
  ): Promise<DueWork> {
    const at = now.toISOString();
    const warnAt = new Date(
      now.getTime() + warnBeforeSeconds * 1000,
    ).toISOString();
    const workReady = (b: Knex.QueryBuilder) =>
      b.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', at);
    const [timedOut, toApply, toEnd, toWarn] = await Promise.all([
      this.#db(REQUESTS)
        .where('state', 'pending')
        .where('pending_expires_at', '<=', at)
        .limit(limits.timedOut),
      this.#db(REQUESTS)
        .where({ state: 'approved', kind: 'access' })
        .andWhere(workReady)
        .limit(limits.toApply),
      this.#db(REQUESTS)
        .where('state', 'active')
        .andWhere(b =>
          b.where('expires_at', '<=', at).orWhere('revoke_requested', true),
        )
        .andWhere(workReady)
        .orderBy('expires_at', 'asc')
        .limit(limits.toEnd),
      this.#db(REQUESTS)
        .where({
          state: 'active',
          kind: 'access',
          expiry_warned: false,
          revoke_requested: false,
        })
        .where('expires_at', '<=', warnAt)
        .where('expires_at', '>', at)
        .limit(limits.toWarn),
    ]);
    return {
      timedOut: await this.#withApprovals(timedOut),
      toApply: await this.#withApprovals(toApply),
      toEnd: await this.#withApprovals(toEnd),
      toWarn: await this.#withApprovals(toWarn),
      more:
        timedOut.length === limits.timedOut ||
        toApply.length === limits.toApply ||
        toEnd.length === limits.toEnd ||
        toWarn.length === limits.toWarn,
    };
  }

  /** Grant ids that currently hold access, for reconciling managed bindings. */
  async activeGrantIds(): Promise<Set<string>> {
    const rows = await this.#db(REQUESTS)
      .where('kind', 'access')
      .whereIn('state', ['approved', 'active'])
      .select('id');
    return new Set(rows.map(r => r.id));
  }

  /** Appends an event that is not a state change (failures, reconciliation). */
  async appendAudit(
    request: Pick<AccessRequest, 'id' | 'kind' | 'entityRef'>,
    event: AuditEventType,
    now: Date,
    audit: AuditInput,
  ) {
    await this.#audit(this.#db, request, event, now.toISOString(), audit);
  }

  async audit(
    filter: AuditFilter,
    page: { limit: number; before?: number },
  ): Promise<AuditEvent[]> {
    const q = this.#db(AUDIT);
    if (filter.actor) q.where('actor', filter.actor);
    if (filter.entityRef) q.where('entity_ref', filter.entityRef);
    if (filter.requestId) q.where('request_id', filter.requestId);
    if (filter.from) q.where('at', '>=', filter.from);
    if (filter.to) q.where('at', '<=', filter.to);
    if (filter.involving) {
      const user = filter.involving;
      q.andWhere(b =>
        b
          .whereIn(
            'request_id',
            this.#db(REQUESTS).select('id').where('requester', user),
          )
          .orWhereIn(
            'request_id',
            this.#db(APPROVALS).select('request_id').where('approver', user),
          ),
      );
    }
    if (page.before) q.where('id', '<', page.before);
    const rows = await q.orderBy('id', 'desc').limit(page.limit);
    return rows.map(r => ({
      id: Number(r.id),
      requestId: r.request_id,
      requestKind: r.request_kind,
      event: r.event,
      actor: r.actor,
      entityRef: r.entity_ref,
      at: r.at,
      reason: r.reason ?? undefined,
      details: json<Record<string, unknown> | undefined>(r.details, undefined),
    }));
  }
}
