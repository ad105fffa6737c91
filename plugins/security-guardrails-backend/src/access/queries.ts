/*
 * Reads over the access store: the requests a person may see (and 404 for
 * the rest, never revealing that one exists), pages of them, active grants,
 * the audit trail and where an entity can be granted; and what the posture
 * engine reads from access (active exemptions and managed grants).
 */
import { NotFoundError } from '@backstage/errors';
import {
  AccessRequest,
  AccessTargets,
  AuditEvent,
  RequestState,
} from '@internal/backstage-plugin-security-guardrails-common';
import { ExemptionRule, ManagedGrant } from '../engine';
import { Actor } from './AccessPolicy';
import { AccessContextReader } from './actors';
import { AccessStore, AuditFilter, RequestFilter } from './AccessStore';
import { HOLDING_STATES } from './stateMachine';

export interface ListQuery {
  view: 'mine' | 'to-approve' | 'decided' | 'all';
  states?: RequestState[];
  kinds?: AccessRequest['kind'][];
  entityRef?: string;
  cursor?: string;
  limit: number;
}

/** A stored request, or 404. */
export async function requireRequest(
  store: AccessStore,
  id: string,
): Promise<AccessRequest> {
  const request = await store.get(id);
  if (!request) throw new NotFoundError(`No request ${id}`);
  return request;
}

/** Approved, unexpired exemption requests, as rules for the posture engine. */
export async function activeExemptionRules(
  store: AccessStore,
): Promise<ExemptionRule[]> {
  const active = await store.list(
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

/** Active access grants with the bindings they applied, for the engine. */
export async function activeManagedGrants(
  store: AccessStore,
): Promise<ManagedGrant[]> {
  const active = await store.list(
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

export class AccessQueries {
  constructor(
    private readonly store: AccessStore,
    private readonly context: Pick<AccessContextReader, 'targets'>,
  ) {}

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
    const request = await this.store.get(id);
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
    else if (query.view === 'decided') filter.decidedBy = actor.userRef;
    else if (query.view === 'to-approve') {
      filter.approvableBy = [actor.userRef, ...actor.ownershipRefs];
    } else if (!isAdmin) {
      filter.visibleTo = { user: actor.userRef, groups: actor.ownershipRefs };
    }
    let items = await this.store.list(filter, {
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

  /** Active grants: everyone's for admins, otherwise one's own. */
  async grants(actor: Actor, isAdmin: boolean): Promise<AccessRequest[]> {
    return this.store.list(
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
    return this.store.audit(filter, page);
  }

  async targets(entityRef: string): Promise<AccessTargets> {
    return { entityRef, ...(await this.context.targets(entityRef)) };
  }
}
