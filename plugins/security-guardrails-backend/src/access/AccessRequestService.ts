/*
 * The lifecycle of a request: create, decide, cancel, revoke and extend.
 * Rules come from AccessPolicy; every move is a compare-and-set in the
 * store (the state machine in stateMachine.ts is the one list of moves)
 * with its audit event. Applying and ending grants on the cluster is the
 * GrantReconciler's; reads are AccessQueries'.
 *
 * About 400 lines: one method per move of the lifecycle.
 */
import { randomUUID } from 'node:crypto';
import { AccessRequest } from '@internal/backstage-plugin-security-guardrails-common';
import {
  AccessPolicy,
  AccessRequestInput,
  Actor,
  ExemptionRequestInput,
  refuse,
} from './AccessPolicy';
import {
  AccessContextReader,
  AUTO_APPROVER,
  entityContext,
  SYSTEM_ACTOR,
  subjectOf,
} from './actors';
import { AccessAuditor } from './auditor';
import { AccessStore } from './AccessStore';
import { GrantReconciler } from './GrantReconciler';
import { AccessNotifier } from './notifier';
import { requireRequest } from './queries';

export { AUTO_APPROVER, SYSTEM_ACTOR } from './actors';

export interface AccessRequestServiceOptions {
  store: AccessStore;
  policy: AccessPolicy;
  reconciler: GrantReconciler;
  context: AccessContextReader;
  notifier: AccessNotifier;
  auditor: AccessAuditor;
  knownChecks: ReadonlySet<string>;
  /** Called when an exemption starts, which changes what an entity's posture shows. */
  onEntityChanged?: (entityRef: string) => void;
  now?: () => Date;
}

export class AccessRequestService {
  readonly #o: AccessRequestServiceOptions;
  readonly #now: () => Date;

  constructor(options: AccessRequestServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  get policy(): AccessPolicy {
    return this.#o.policy;
  }

  #get(id: string): Promise<AccessRequest> {
    return requireRequest(this.#o.store, id);
  }

  async create(
    input: AccessRequestInput & { entityRef: string },
    actor: Actor,
  ): Promise<AccessRequest> {
    const now = this.#now();
    const entity = await entityContext(this.#o.context, input.entityRef);
    const holding = await this.#o.store.countHolding(actor.userRef);
    const v = this.#o.policy.validateAccess(input, actor, entity, holding);
    const subject = await subjectOf(
      this.#o.policy.config.subject,
      this.#o.context,
      actor.userRef,
    );
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
    await this.#o.auditor.record('requested', request, actor.userRef);
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
    const entity = await entityContext(this.#o.context, input.entityRef);
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
    await this.#o.auditor.record('requested', request, actor.userRef);
    await this.#o.notifier.requested(request);
    return request;
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
      await this.#o.auditor.record('denied', denied, actor.userRef);
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
      await this.#o.auditor.record('approved', current, actor.userRef, {
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
        await this.#o.auditor.record('approved', current, actor);
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
    const current = await this.#get(request.id);
    if (!moved) return current; // another approver got there first
    await this.#o.auditor.record(
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
    return this.#o.reconciler.apply(current);
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
    await this.#o.auditor.record('cancelled', current, actor.userRef);
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
      await this.#o.auditor.record('revoked', current, actor.userRef);
      return current;
    }
    await this.#o.store.update(request, 'active', now, {
      revokeRequested: true,
      endedBy: actor.userRef,
      endReason: why,
    });
    return this.#o.reconciler.end(await this.#get(id));
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
    await this.#o.reconciler.updateExpiry(parent, expiresAt);
    await this.#o.auditor.record(
      'extended',
      await this.#get(parent.id),
      actor,
      {
        to: expiresAt,
      },
    );
  }
}
