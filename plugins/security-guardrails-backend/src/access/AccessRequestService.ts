/*
 * The lifecycle of a request: create, decide, cancel, revoke and extend.
 * Rules come from AccessPolicy; every move is a compare-and-set in the
 * store (the state machine in stateMachine.ts is the one list of moves)
 * with its audit event. Applying and ending grants on the cluster is the
 * GrantReconciler's; reads are AccessQueries'.
 *
 * About 400 lines: one method per move of the lifecycle.
 */
import { InputError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import {
  AccessRequest,
  Campaign,
} from '@internal/backstage-plugin-security-guardrails-common';
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
  cancelBySystem,
  entityContext,
  subjectOf,
} from './actors';
import { AccessAuditor } from './auditor';
import {
  AccessStore,
  HoldingLimitError,
  RequestConflictError,
} from './AccessStore';
import { GrantReconciler } from './GrantReconciler';
import { AccessNotifier } from './notifier';
import { requireRequest } from './queries';

export interface AccessRequestServiceOptions {
  /** A campaign by id, for exemption requests that name one. */
  campaignOf?: (id: string) => Promise<Campaign | undefined>;
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

  #extensionPending(id: string | undefined) {
    return refuse(
      'extension-pending',
      `this grant already has a pending extension${
        id ? ` (${id})` : ''
      }; wait for its decision or cancel it`,
      409,
    );
  }

  get #limit(): number {
    return this.#o.policy.config.maxActiveGrantsPerUser;
  }

  /** The same access asked again while the first is pending or held. */
  #duplicate(existing: AccessRequest) {
    const what =
      existing.state === 'active' && existing.expiresAt
        ? `you already have this access until ${existing.expiresAt}`
        : `you already asked for this access and it is ${existing.state}`;
    return refuse(
      'duplicate-request',
      `${what} (request ${existing.id}); extend or revoke that one instead`,
      409,
    );
  }

  /** The store's cap refusal as the rule a person reads; anything else as it is. */
  #limitRefusal(e: unknown, atApproval = false): unknown {
    if (!(e instanceof HoldingLimitError)) return e;
    return refuse(
      'concurrent-grant-limit',
      atApproval
        ? `${e.requester} already holds ${e.holding} approved or active grant(s); the limit is ${e.limit}. Approve this one when one of them has ended`
        : `${e.requester} already has ${e.holding} grant(s) requested, approved or active; the limit is ${e.limit}. Revoke or cancel one first`,
      409,
    );
  }

  /** Until when a request made now waits for a decision. */
  #pendingUntil(now: Date): string {
    return new Date(
      now.getTime() + this.#o.policy.config.pendingTimeoutSeconds * 1000,
    ).toISOString();
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
    const request = await this.#o.store
      .create(
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
          pendingExpiresAt: this.#pendingUntil(now),
        },
        now,
        {
          actor: actor.userRef,
          reason: input.justification.trim(),
          details: { ticket: input.ticket ?? null },
        },
        { holdingLimit: this.#limit },
      )
      .catch(e => {
        if (e instanceof RequestConflictError && e.existing)
          throw this.#duplicate(e.existing);
        throw this.#limitRefusal(e);
      });
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
    if (input.campaignId) {
      const campaign = await this.#o.campaignOf?.(input.campaignId);
      if (!campaign || campaign.state !== 'active') {
        throw new InputError(
          `body.campaignId: no active campaign ${input.campaignId}`,
        );
      }
      if (!campaign.target.checkIds.includes(input.checkId)) {
        throw new InputError(
          `body.campaignId: campaign "${campaign.name}" does not target ${input.checkId}`,
        );
      }
    }
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
        ...(input.campaignId ? { campaignId: input.campaignId } : {}),
        scope: input.scope,
        durationSeconds: v.durationSeconds,
        justification: input.justification.trim(),
        ticket: input.ticket,
        requester: actor.userRef,
        approvalsRequired: v.approvalsRequired,
        approverGroups: v.approverRefs,
        pendingExpiresAt: this.#pendingUntil(now),
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
    const now = this.#now();
    this.#o.policy.checkDecision(request, actor, now);
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
    if (request.kind === 'extension') {
      return this.#approveExtension(request, actor, comment);
    }
    let moved: boolean;
    try {
      // The cap again, at the moment access is granted: other grants may
      // have been approved since this one was asked.
      moved = await this.#o.store.transition(
        request,
        'pending',
        'approved',
        now,
        { actor, reason: comment },
        { approvedAt: now.toISOString() },
        {
          holdingLimit: { requester: request.requester, limit: this.#limit },
        },
      );
    } catch (e) {
      if (e instanceof HoldingLimitError) {
        if (actor === AUTO_APPROVER) {
          await cancelBySystem(this.#o.store, request, e.message, now);
        } else {
          // Not decided after all: the approver can decide again later.
          await this.#o.store.removeDecision(request.id, actor);
        }
      }
      throw this.#limitRefusal(e, true);
    }
    const current = await this.#get(request.id);
    if (!moved) return current; // another approver got there first
    await this.#o.auditor.record('approved', current, actor);
    if (actor !== AUTO_APPROVER)
      await this.#o.notifier.decided(current, 'approved', actor);
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
    );
    const extension = await this.#o.store
      .create(
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
      )
      .catch(e => {
        // One pending extension per grant: the database holds it.
        if (e instanceof RequestConflictError)
          throw this.#extensionPending(e.existing?.id);
        throw e;
      });
    if (!v.needsApproval) {
      return this.#approve(extension, AUTO_APPROVER);
    }
    await this.#o.notifier.requested(extension);
    return extension;
  }

  /**
   * The final approval of an extension: the grant must still be active and
   * stay within its role's maximum; the extension's approval and the grant's
   * new expiry are written together (both or neither), then the grant's
   * RoleBindings follow. An extension that can no longer apply is cancelled
   * and the approver told why (409), never reported approved.
   */
  async #approveExtension(
    extension: AccessRequest,
    actor: string,
    comment?: string,
  ): Promise<AccessRequest> {
    const grant = await this.#get(extension.parentId!);
    const now = this.#now();
    /** Cancels the extension, saying why, and refuses the approval with that. */
    const cancelled = async (why: string, refusal: Error) => {
      await cancelBySystem(this.#o.store, extension, why, now);
      return refusal;
    };
    const notActive = (state: string) => {
      const why = `the grant is ${state}; nothing to extend`;
      return cancelled(why, refuse('grant-not-active', why, 409));
    };
    if (grant.state !== 'active' || !grant.expiresAt) {
      throw await notActive(grant.state);
    }
    let to: string;
    try {
      to = this.#o.policy
        .checkExtensionCeiling(grant, extension.durationSeconds, 409)
        .toISOString();
    } catch (e) {
      throw await cancelled((e as Error).message, e as Error);
    }
    const outcome = await this.#o.store.extendGrant({
      extension,
      grant,
      from: grant.expiresAt,
      to,
      now,
      audit: { actor, reason: comment ?? extension.justification },
    });
    if (outcome === 'extension-not-pending') return this.#get(extension.id);
    if (outcome === 'grant-not-active') {
      throw await notActive((await this.#get(grant.id)).state);
    }
    const approved = await this.#get(extension.id);
    await this.#o.auditor.record('extended', approved, actor);
    if (actor !== AUTO_APPROVER)
      await this.#o.notifier.decided(approved, 'approved', actor);
    await this.#o.reconciler.updateExpiry(await this.#get(grant.id), to);
    await this.#o.auditor.record('extended', await this.#get(grant.id), actor, {
      to,
    });
    return approved;
  }
}
