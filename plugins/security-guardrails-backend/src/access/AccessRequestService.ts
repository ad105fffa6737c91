/*
 * The lifecycle of requests: create, decide, apply, extend, cancel, revoke,
 * expire. Rules come from AccessPolicy; every move is a compare-and-set in
 * the store with its audit event; side effects (RoleBindings) go through the
 * cluster's GrantDriver and are idempotent, so a retry after a crash or a race
 * between replicas never grants or revokes twice.
 */
import { randomUUID } from 'node:crypto';
import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  AccessRequest,
  AccessTargets,
  AuditEvent,
  KUBERNETES_ID_ANNOTATION,
  RequestState,
} from '@internal/backstage-plugin-security-guardrails-common';
import { Entity } from '@backstage/catalog-model';
import { normalizeRef } from '../catalog/CatalogEntities';
import { ExemptionRule, ManagedGrant } from '../engine';
import {
  AccessPolicy,
  AccessRequestInput,
  Actor,
  EntityContext,
  ExemptionRequestInput,
  refuse,
} from './AccessPolicy';
import {
  AuditFilter,
  DatabaseAccessStore,
  RequestFilter,
} from './DatabaseAccessStore';
import { GrantDriver, GrantSpec } from './drivers/types';
import { AccessNotifier } from './notifier';
import { HOLDING_STATES } from './stateMachine';

export const SYSTEM_ACTOR = 'system:security-guardrails';
export const AUTO_APPROVER = 'policy:auto-approve';

/** Reads what the service needs from the catalog and the stored postures. */
export interface AccessContextReader {
  entity(entityRef: string): Promise<Entity | undefined>;
  user(userRef: string): Promise<Entity | undefined>;
  /** Clusters and namespaces where the entity's objects are (from its posture). */
  targets(
    entityRef: string,
  ): Promise<Array<{ cluster: string; namespaces: string[] }>>;
}

export interface AccessRequestServiceOptions {
  store: DatabaseAccessStore;
  policy: AccessPolicy;
  drivers: Map<string, GrantDriver>;
  context: AccessContextReader;
  notifier: AccessNotifier;
  auditor?: AuditorService;
  logger: LoggerService;
  knownChecks: ReadonlySet<string>;
  /** Called when a grant or exemption changes what an entity's posture should show. */
  onEntityChanged?: (entityRef: string) => void;
  now?: () => Date;
  /** How long a worker holds a request while applying or revoking. */
  leaseMs?: number;
}

export interface ListQuery {
  view: 'mine' | 'to-approve' | 'all';
  states?: RequestState[];
  kinds?: AccessRequest['kind'][];
  entityRef?: string;
  cursor?: string;
  limit: number;
}

function backoffMs(attempt: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 5 * 60_000);
}

function errorText(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).slice(0, 500);
}

export class AccessRequestService {
  readonly #o: AccessRequestServiceOptions;
  readonly #now: () => Date;
  readonly #leaseMs: number;

  static create(options: AccessRequestServiceOptions) {
    return new AccessRequestService(options);
  }

  private constructor(options: AccessRequestServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.#leaseMs = options.leaseMs ?? 60_000;
  }

  get policy(): AccessPolicy {
    return this.#o.policy;
  }

  get store(): DatabaseAccessStore {
    return this.#o.store;
  }

  async #auditor(
    event: string,
    request: AccessRequest,
    actor: string,
    meta: Record<string, unknown> = {},
    error?: Error,
  ) {
    if (!this.#o.auditor) return;
    try {
      const e = await this.#o.auditor.createEvent({
        eventId: 'access-request',
        severityLevel:
          event === 'failed' || event === 'applied' || event === 'approved'
            ? 'high'
            : 'medium',
        meta: {
          action: event,
          requestId: request.id,
          requestKind: request.kind,
          entityRef: request.entityRef,
          actor,
          ...(request.role
            ? {
                role: request.role,
                cluster: request.cluster ?? null,
                namespaces: request.namespaces ?? [],
              }
            : {}),
          ...(request.checkId ? { checkId: request.checkId } : {}),
          ...meta,
        } as any,
      });
      if (error) await e.fail({ error });
      else await e.success();
    } catch (e) {
      this.#o.logger.warn(`Could not write an auditor event: ${errorText(e)}`);
    }
  }

  async #entityContext(entityRef: string): Promise<EntityContext> {
    const entity = await this.#o.context.entity(entityRef);
    if (!entity)
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    const ownedBy = entity.relations?.find(
      r => r.type === 'ownedBy',
    )?.targetRef;
    const owner =
      ownedBy ??
      (typeof entity.spec?.owner === 'string'
        ? normalizeRef(entity.spec.owner, 'group', entity.metadata.namespace)
        : undefined);
    return {
      ref: entityRef,
      owner,
      kubernetesId: entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION],
      targets: await this.#o.context.targets(entityRef),
    };
  }

  async targets(entityRef: string): Promise<AccessTargets> {
    return { entityRef, targets: await this.#o.context.targets(entityRef) };
  }

  /** The Kubernetes user a Backstage user becomes, per `access.subject`. */
  async #subjectOf(userRef: string): Promise<string> {
    const { from, annotation } = this.#o.policy.config.subject;
    const user = await this.#o.context.user(userRef);
    let subject: string | undefined;
    if (from === 'name')
      subject = user?.metadata.name ?? userRef.split('/').pop();
    else if (from === 'email') subject = (user?.spec as any)?.profile?.email;
    else subject = user?.metadata.annotations?.[annotation!];
    if (!subject) {
      const field = {
        annotation: `annotation ${annotation}`,
        email: 'spec.profile.email',
        name: 'name',
      }[from];
      throw refuse(
        'subject-unknown',
        `your catalog User has no ${field}, which becomes the Kubernetes user of the grant`,
        400,
      );
    }
    return subject;
  }

  async create(
    input: AccessRequestInput & { entityRef: string },
    actor: Actor,
  ): Promise<AccessRequest> {
    const now = this.#now();
    const entity = await this.#entityContext(input.entityRef);
    const holding = await this.#o.store.countHolding(actor.userRef);
    const v = this.#o.policy.validateAccess(input, actor, entity, holding);
    const subject = await this.#subjectOf(actor.userRef);
    const request = await this.#o.store.create(
      {
        id: randomUUID(),
        kind: 'access',
        entityRef: input.entityRef,
        cluster: input.cluster,
        namespaces: [...new Set(input.namespaces)].sort(),
        role: v.role.name,
        clusterRole: v.role.clusterRole,
        durationSeconds: v.durationSeconds,
        justification: input.justification.trim(),
        ticket: input.ticket,
        requester: actor.userRef,
        subject,
        approvalsRequired: v.approvalsRequired,
        approverGroups: v.approverRefs,
        pendingExpiresAt: new Date(
          now.getTime() + this.#o.policy.config.pendingTimeoutSeconds * 1000,
        ).toISOString(),
      },
      now,
      {
        actor: actor.userRef,
        reason: input.justification.trim(),
        details: { ticket: input.ticket ?? null },
      },
    );
    await this.#auditor('requested', request, actor.userRef);
    if (request.approvalsRequired === 0) {
      return this.#approve(request, AUTO_APPROVER);
    }
    await this.#o.notifier.requested(request);
    return request;
  }

  async createExemption(
    input: ExemptionRequestInput & { entityRef: string },
    actor: Actor,
  ): Promise<AccessRequest> {
    const now = this.#now();
    const entity = await this.#entityContext(input.entityRef);
    const v = this.#o.policy.validateExemption(
      input,
      actor,
      entity,
      this.#o.knownChecks,
    );
    const request = await this.#o.store.create(
      {
        id: randomUUID(),
        kind: 'exemption',
        entityRef: input.entityRef,
        checkId: input.checkId,
        scope: input.scope,
        durationSeconds: v.durationSeconds,
        justification: input.justification.trim(),
        ticket: input.ticket,
        requester: actor.userRef,
        approvalsRequired: v.approvalsRequired,
        approverGroups: v.approverRefs,
        pendingExpiresAt: new Date(
          now.getTime() + this.#o.policy.config.pendingTimeoutSeconds * 1000,
        ).toISOString(),
      },
      now,
      {
        actor: actor.userRef,
        reason: input.justification.trim(),
        details: { ticket: input.ticket ?? null },
      },
    );
    await this.#auditor('requested', request, actor.userRef);
    await this.#o.notifier.requested(request);
    return request;
  }

  async #get(id: string): Promise<AccessRequest> {
    const request = await this.#o.store.get(id);
    if (!request) throw new NotFoundError(`No request ${id}`);
    return request;
  }

  canSee(request: AccessRequest, actor: Actor, isAdmin: boolean): boolean {
    return (
      isAdmin ||
      request.requester === actor.userRef ||
      request.approvals.some(a => a.approver === actor.userRef) ||
      request.approverGroups.some(
        ref => ref === actor.userRef || actor.ownershipRefs.includes(ref),
      )
    );
  }

  /** A request the actor may see, or 404 (never revealing that it exists). */
  async get(
    id: string,
    actor: Actor,
    isAdmin: boolean,
  ): Promise<AccessRequest> {
    const request = await this.#o.store.get(id);
    if (!request || !this.canSee(request, actor, isAdmin))
      throw new NotFoundError(`No request ${id}`);
    return request;
  }

  async list(
    query: ListQuery,
    actor: Actor,
    isAdmin: boolean,
  ): Promise<{ items: AccessRequest[]; nextCursor?: string }> {
    const filter: RequestFilter = {
      states: query.states,
      kinds: query.kinds,
      entityRef: query.entityRef,
    };
    if (query.view === 'mine') filter.requester = actor.userRef;
    else if (query.view === 'to-approve') {
      filter.approvableBy = [actor.userRef, ...actor.ownershipRefs];
    } else if (!isAdmin) {
      filter.visibleTo = { user: actor.userRef, groups: actor.ownershipRefs };
    }
    let items = await this.#o.store.list(filter, {
      limit: query.limit + 1,
      after: query.cursor,
    });
    if (query.view === 'to-approve') {
      // Not one's own, and not already decided by them.
      items = items.filter(
        r =>
          r.requester !== actor.userRef &&
          !r.approvals.some(a => a.approver === actor.userRef),
      );
    }
    const page = items.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page,
      ...(items.length > query.limit && last
        ? { nextCursor: `${last.createdAt}|${last.id}` }
        : {}),
    };
  }

  async decide(
    id: string,
    actor: Actor,
    decision: 'approve' | 'deny',
    comment?: string,
  ): Promise<AccessRequest> {
    const request = await this.#get(id);
    this.#o.policy.checkDecision(request, actor);
    const now = this.#now();
    await this.#o.store.addDecision(id, actor.userRef, decision, comment, now);
    if (decision === 'deny') {
      const moved = await this.#o.store.transition(
        request,
        'pending',
        'denied',
        now,
        { actor: actor.userRef, reason: comment },
        {
          endedAt: now.toISOString(),
          endedBy: actor.userRef,
          endReason: comment,
        },
      );
      if (!moved)
        throw refuse('invalid-state', 'the request is no longer pending', 409);
      const denied = await this.#get(id);
      await this.#auditor('denied', denied, actor.userRef);
      await this.#o.notifier.decided(denied, 'denied', actor.userRef);
      return denied;
    }
    const current = await this.#get(id);
    const approvals = current.approvals.filter(
      a => a.decision === 'approve',
    ).length;
    if (approvals < current.approvalsRequired) {
      await this.#o.store.appendAudit(current, 'approved', now, {
        actor: actor.userRef,
        reason: comment,
        details: {
          approvals,
          required: current.approvalsRequired,
          final: false,
        },
      });
      await this.#auditor('approved', current, actor.userRef, {
        approvals,
        required: current.approvalsRequired,
      });
      return current;
    }
    return this.#approve(current, actor.userRef, comment);
  }

  /** The final approval: moves the request on and applies it. */
  async #approve(
    request: AccessRequest,
    actor: string,
    comment?: string,
  ): Promise<AccessRequest> {
    const now = this.#now();
    if (request.kind === 'exemption') {
      const expiresAt = new Date(
        now.getTime() + request.durationSeconds * 1000,
      ).toISOString();
      const moved = await this.#o.store.transition(
        request,
        'pending',
        'active',
        now,
        { actor, reason: comment },
        {
          approvedAt: now.toISOString(),
          appliedAt: now.toISOString(),
          expiresAt,
        },
      );
      const current = await this.#get(request.id);
      if (moved) {
        await this.#auditor('approved', current, actor);
        await this.#o.notifier.decided(current, 'approved', actor);
        this.#o.onEntityChanged?.(current.entityRef);
      }
      return current;
    }
    const moved = await this.#o.store.transition(
      request,
      'pending',
      'approved',
      now,
      { actor, reason: comment },
      {
        approvedAt: now.toISOString(),
      },
    );
    let current = await this.#get(request.id);
    if (!moved) return current; // another approver got there first
    await this.#auditor(
      request.kind === 'extension' ? 'extended' : 'approved',
      current,
      actor,
    );
    if (actor !== AUTO_APPROVER)
      await this.#o.notifier.decided(current, 'approved', actor);
    if (request.kind === 'extension') {
      await this.#extendParent(current, actor);
      return this.#get(request.id);
    }
    current = await this.applyGrant(current);
    return current;
  }

  #spec(
    request: AccessRequest,
    expiresAt: string,
    kubernetesId?: string,
  ): GrantSpec {
    return {
      grantId: request.id,
      cluster: request.cluster!,
      namespaces: request.namespaces ?? [],
      clusterRole: request.clusterRole!,
      subject: { kind: 'User', name: request.subject! },
      expiresAt,
      requester: request.requester,
      approvers: request.approvals
        .filter(a => a.decision === 'approve')
        .map(a => a.approver),
      justification: request.justification,
      entityRef: request.entityRef,
      kubernetesId,
    };
  }

  /**
   * Applies an approved grant: one worker at a time (a lease in the store),
   * RoleBindings through the driver, then `approved → active`. The clock
   * starts here. Failures are retried with backoff and visible on the request.
   */
  async applyGrant(request: AccessRequest): Promise<AccessRequest> {
    const now = this.#now();
    if (
      !(await this.#o.store.claim(
        request.id,
        'approved',
        now,
        new Date(now.getTime() + this.#leaseMs),
      ))
    ) {
      return this.#get(request.id);
    }
    const driver = this.#o.drivers.get(request.cluster ?? '');
    const attempts = request.attempts + 1;
    try {
      if (!driver)
        throw new Error(`no grant driver for cluster '${request.cluster}'`);
      const entity = await this.#o.context
        .entity(request.entityRef)
        .catch(() => undefined);
      const appliedAt = this.#now();
      const expiresAt = new Date(
        appliedAt.getTime() + request.durationSeconds * 1000,
      ).toISOString();
      const bindings = await driver.apply(
        this.#spec(
          request,
          expiresAt,
          entity?.metadata.annotations?.[KUBERNETES_ID_ANNOTATION],
        ),
      );
      const moved = await this.#o.store.transition(
        request,
        'approved',
        'active',
        appliedAt,
        {
          actor: SYSTEM_ACTOR,
          details: {
            bindings: bindings.map(
              b => `${b.cluster}/${b.namespace}/${b.name}`,
            ),
          },
        },
        {
          appliedAt: appliedAt.toISOString(),
          expiresAt,
          bindings,
          attempts,
          nextAttemptAt: null,
          lastError: null,
        },
      );
      if (!moved) {
        // Revoked or cancelled while we applied: take the bindings back.
        await driver.revoke(request.id, bindings);
        return this.#get(request.id);
      }
      const active = await this.#get(request.id);
      await this.#auditor('applied', active, SYSTEM_ACTOR);
      await this.#o.notifier.applied(active);
      this.#o.onEntityChanged?.(active.entityRef);
      return active;
    } catch (e) {
      const message = errorText(e);
      this.#o.logger.warn(
        `Applying grant ${request.id} failed (attempt ${attempts}): ${message}`,
      );
      const failedAt = this.#now();
      if (attempts >= this.#o.policy.config.maxApplyAttempts) {
        await this.#o.store.transition(
          request,
          'approved',
          'failed',
          failedAt,
          { actor: SYSTEM_ACTOR, reason: message, details: { attempts } },
          {
            attempts,
            lastError: message,
            nextAttemptAt: null,
            endedAt: failedAt.toISOString(),
            endReason: `applying failed ${attempts} times: ${message}`,
          },
        );
      } else {
        const retryAt = new Date(
          failedAt.getTime() + backoffMs(attempts),
        ).toISOString();
        await this.#o.store.update(
          request,
          'approved',
          failedAt,
          { attempts, lastError: message, nextAttemptAt: retryAt },
          {
            event: 'failed',
            actor: SYSTEM_ACTOR,
            reason: message,
            details: { operation: 'apply', attempts, retryAt },
          },
        );
      }
      const current = await this.#get(request.id);
      await this.#auditor(
        'failed',
        current,
        SYSTEM_ACTOR,
        { operation: 'apply', attempts },
        e as Error,
      );
      if (attempts === 1) await this.#o.notifier.failed(current, message);
      return current;
    }
  }

  /**
   * Ends an active grant or exemption: at expiry, or early when revocation
   * was asked. Bindings are removed first; only then does the request move,
   * so a failed removal is retried at the next sweep.
   */
  async endGrant(request: AccessRequest): Promise<AccessRequest> {
    const now = this.#now();
    if (
      !(await this.#o.store.claim(
        request.id,
        'active',
        now,
        new Date(now.getTime() + this.#leaseMs),
      ))
    ) {
      return this.#get(request.id);
    }
    const early =
      request.revokeRequested ||
      (request.expiresAt !== undefined &&
        Date.parse(request.expiresAt) > now.getTime());
    const to = early ? 'revoked' : 'expired';
    try {
      if (request.kind === 'access' && request.bindings.length > 0) {
        const driver = this.#o.drivers.get(request.cluster ?? '');
        if (!driver)
          throw new Error(`no grant driver for cluster '${request.cluster}'`);
        await driver.revoke(request.id, request.bindings);
      }
    } catch (e) {
      const message = errorText(e);
      const attempts = request.attempts + 1;
      this.#o.logger.error(
        `Removing grant ${request.id} failed (attempt ${attempts}): ${message}`,
      );
      const failedAt = this.#now();
      const retryAt = new Date(
        failedAt.getTime() + backoffMs(attempts),
      ).toISOString();
      await this.#o.store.update(
        request,
        'active',
        failedAt,
        { attempts, lastError: message, nextAttemptAt: retryAt },
        {
          event: 'failed',
          actor: SYSTEM_ACTOR,
          reason: message,
          details: { operation: 'revoke', attempts, retryAt },
        },
      );
      const current = await this.#get(request.id);
      await this.#auditor(
        'failed',
        current,
        SYSTEM_ACTOR,
        { operation: 'revoke', attempts },
        e as Error,
      );
      return current;
    }
    const endedBy = early ? request.endedBy ?? SYSTEM_ACTOR : SYSTEM_ACTOR;
    const moved = await this.#o.store.transition(
      request,
      'active',
      to,
      this.#now(),
      { actor: endedBy, reason: early ? request.endReason : 'expired' },
      {
        endedAt: this.#now().toISOString(),
        endedBy,
        endReason: early ? request.endReason ?? 'revoked' : 'expired',
        nextAttemptAt: null,
        lastError: null,
      },
    );
    const current = await this.#get(request.id);
    if (moved) {
      await this.#auditor(to, current, endedBy);
      await this.#o.notifier.ended(current, to);
      this.#o.onEntityChanged?.(current.entityRef);
    }
    return current;
  }

  async cancel(
    id: string,
    actor: Actor,
    reason?: string,
  ): Promise<AccessRequest> {
    const request = await this.#get(id);
    this.#o.policy.checkCancel(request, actor);
    const now = this.#now();
    const moved = await this.#o.store.transition(
      request,
      'pending',
      'cancelled',
      now,
      { actor: actor.userRef, reason },
      {
        endedAt: now.toISOString(),
        endedBy: actor.userRef,
        endReason: reason ?? 'cancelled',
      },
    );
    if (!moved)
      throw refuse('invalid-state', 'the request is no longer pending', 409);
    const current = await this.#get(id);
    await this.#auditor('cancelled', current, actor.userRef);
    return current;
  }

  /** Early revocation by the requester, an approver or a security lead. */
  async revoke(
    id: string,
    actor: Actor,
    isAdmin: boolean,
    reason?: string,
  ): Promise<AccessRequest> {
    const request = await this.#get(id);
    this.#o.policy.checkRevoke(request, actor, isAdmin);
    const now = this.#now();
    const why = reason?.trim() || `revoked by ${actor.userRef}`;
    if (request.state === 'approved') {
      // Not applied yet: stop it before it is (an apply in flight undoes itself).
      const moved = await this.#o.store.transition(
        request,
        'approved',
        'revoked',
        now,
        { actor: actor.userRef, reason: why },
        {
          endedAt: now.toISOString(),
          endedBy: actor.userRef,
          endReason: why,
        },
      );
      if (!moved) return this.revoke(id, actor, isAdmin, reason);
      const current = await this.#get(id);
      await this.#auditor('revoked', current, actor.userRef);
      return current;
    }
    await this.#o.store.update(request, 'active', now, {
      revokeRequested: true,
      endedBy: actor.userRef,
      endReason: why,
    });
    return this.endGrant(await this.#get(id));
  }

  async extend(
    id: string,
    actor: Actor,
    input: { durationSeconds: number; justification: string },
  ): Promise<AccessRequest> {
    const parent = await this.#get(id);
    const now = this.#now();
    const v = this.#o.policy.validateExtension(
      parent,
      actor,
      input.durationSeconds,
      input.justification,
      now,
    );
    const extension = await this.#o.store.create(
      {
        id: randomUUID(),
        kind: 'extension',
        parentId: parent.id,
        entityRef: parent.entityRef,
        cluster: parent.cluster,
        namespaces: parent.namespaces,
        role: parent.role,
        clusterRole: parent.clusterRole,
        durationSeconds: input.durationSeconds,
        justification: input.justification.trim(),
        requester: actor.userRef,
        approvalsRequired: v.needsApproval
          ? Math.max(1, v.role.approvalsRequired)
          : 0,
        approverGroups: parent.approverGroups,
        pendingExpiresAt: parent.expiresAt!,
      },
      now,
      {
        actor: actor.userRef,
        reason: input.justification.trim(),
        details: { extends: parent.id },
      },
    );
    if (!v.needsApproval) {
      return this.#approve(extension, AUTO_APPROVER);
    }
    await this.#o.notifier.requested(extension);
    return extension;
  }

  async #extendParent(extension: AccessRequest, actor: string) {
    const parent = await this.#get(extension.parentId!);
    const now = this.#now();
    if (parent.state !== 'active' || !parent.expiresAt) {
      await this.#o.store.appendAudit(extension, 'failed', now, {
        actor: SYSTEM_ACTOR,
        reason: `the grant is ${parent.state}; nothing to extend`,
      });
      return;
    }
    const expiresAt = new Date(
      Date.parse(parent.expiresAt) + extension.durationSeconds * 1000,
    ).toISOString();
    // The store is the source of truth for expiry: extend there first.
    const moved = await this.#o.store.update(
      parent,
      'active',
      now,
      { expiresAt, expiryWarned: false },
      {
        event: 'extended',
        actor,
        reason: extension.justification,
        details: {
          extensionId: extension.id,
          from: parent.expiresAt,
          to: expiresAt,
        },
      },
    );
    if (!moved) return;
    const driver = this.#o.drivers.get(parent.cluster ?? '');
    try {
      if (driver) {
        const entity = await this.#o.context
          .entity(parent.entityRef)
          .catch(() => undefined);
        const bindings = await driver.updateExpiry(
          this.#spec(
            parent,
            expiresAt,
            entity?.metadata.annotations?.[KUBERNETES_ID_ANNOTATION],
          ),
          parent.bindings,
        );
        await this.#o.store.update(parent, 'active', this.#now(), { bindings });
      }
    } catch (e) {
      await this.#o.store.appendAudit(parent, 'failed', this.#now(), {
        actor: SYSTEM_ACTOR,
        reason: `updating the expiry annotation failed: ${errorText(e)}`,
        details: { operation: 'extend' },
      });
    }
    await this.#auditor('extended', await this.#get(parent.id), actor, {
      to: expiresAt,
    });
  }

  /** Active grants: everyone's for admins, otherwise one's own. */
  async grants(actor: Actor, isAdmin: boolean): Promise<AccessRequest[]> {
    return this.#o.store.list(
      {
        kinds: ['access'],
        states: HOLDING_STATES,
        ...(isAdmin ? {} : { requester: actor.userRef }),
      },
      { limit: 1000 },
    );
  }

  async audit(
    filter: AuditFilter,
    page: { limit: number; before?: number },
  ): Promise<AuditEvent[]> {
    return this.#o.store.audit(filter, page);
  }

  /** Approved, unexpired exemption requests, as rules for the posture engine. */
  /** Active access grants with the bindings they applied, for the engine. */
  async managedGrants(): Promise<ManagedGrant[]> {
    const active = await this.#o.store.list(
      { kinds: ['access'], states: ['active'] },
      { limit: 10_000 },
    );
    return active
      .filter(r => r.expiresAt && r.clusterRole && r.subject)
      .map(r => ({
        grantId: r.id,
        expiresAt: r.expiresAt!,
        clusterRole: r.clusterRole!,
        subject: r.subject!,
        bindings: r.bindings,
      }));
  }

  async exemptionRules(): Promise<ExemptionRule[]> {
    const active = await this.#o.store.list(
      { kinds: ['exemption'], states: ['active'] },
      { limit: 10_000 },
    );
    return active
      .filter(r => r.checkId && r.expiresAt)
      .map(r => ({
        checkId: r.checkId!,
        entityRef: r.entityRef,
        cluster: r.scope?.cluster,
        namespace: r.scope?.namespace,
        kind: r.scope?.kind,
        name: r.scope?.name,
        reason: r.justification,
        expiresAt: r.expiresAt!,
        source: 'request',
        approvedBy: r.approvals
          .filter(a => a.decision === 'approve')
          .map(a => a.approver),
        requestId: r.id,
      }));
  }
}
