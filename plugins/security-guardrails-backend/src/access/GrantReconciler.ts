/*
 * Applies and ends grants on their cluster: the one place a request's
 * RoleBindings are written, moved to a new expiry or removed, and the one
 * thing both an approval and the expiry sweeper call. One worker at a time
 * holds a request (a lease in the store); bindings go through the cluster's
 * GrantDriver, which is idempotent, and the request moves only after the
 * cluster did. A failed call is retried with backoff (the sweeper picks it
 * up when `nextAttemptAt` is due) and shows on the request.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AccessRequest,
  AppliedBinding,
} from '@internal/backstage-plugin-security-guardrails-common';
import {
  AccessContextReader,
  cancelBySystem,
  kubernetesIdOf,
  SYSTEM_ACTOR,
} from './actors';
import { AccessAuditor, errorText } from './auditor';
import { AccessStore, RequestMove } from './AccessStore';
import { GrantDriver, GrantSpec } from './drivers/types';
import { AccessNotifier } from './notifier';
import { requireRequest } from './queries';

export interface GrantReconcilerOptions {
  store: AccessStore;
  drivers: Map<string, GrantDriver>;
  context: Pick<AccessContextReader, 'entity'>;
  notifier: AccessNotifier;
  auditor: AccessAuditor;
  logger: LoggerService;
  /** Attempts to apply a grant before it is marked failed. */
  maxApplyAttempts: number;
  /** Called when a grant starts or ends, which changes the entity's posture. */
  onEntityChanged?: (entityRef: string) => void;
  now?: () => Date;
  /** How long a worker holds a request while applying or revoking. */
  leaseMs?: number;
}

/** Grants applied or ended per lease statement and per transaction. */
const CHUNK = 200;

/** Runs `fn` over `items`, at most `concurrency` at a time. */
async function forEachBounded<T>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** Exponential from 5 s, at most 5 min. */
export function backoffMs(attempt: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 5 * 60_000);
}

export class GrantReconciler {
  readonly #o: GrantReconcilerOptions;
  readonly #now: () => Date;
  readonly #leaseMs: number;

  constructor(options: GrantReconcilerOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.#leaseMs = options.leaseMs ?? 60_000;
  }

  #driver(request: AccessRequest): GrantDriver {
    const driver = this.#o.drivers.get(request.cluster ?? '');
    if (!driver)
      throw new Error(`no grant driver for cluster '${request.cluster}'`);
    return driver;
  }

  async #spec(request: AccessRequest, expiresAt: string): Promise<GrantSpec> {
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
      kubernetesId: await kubernetesIdOf(this.#o.context, request.entityRef),
    };
  }

  /** Takes the request's lease while it is in `state`; false when another worker holds it or it moved. */
  async #claim(request: AccessRequest, state: 'approved' | 'active') {
    const now = this.#now();
    return this.#o.store.claim(
      request.id,
      state,
      now,
      new Date(now.getTime() + this.#leaseMs),
    );
  }

  /**
   * A driver call failed: the request stays where it is with a retry after
   * backoff, or (`giveUp`) moves to failed; either way the error shows on
   * the request and in the audit.
   */
  async #failed(
    request: AccessRequest,
    state: 'approved' | 'active',
    operation: 'apply' | 'revoke',
    error: unknown,
    giveUp: boolean,
  ): Promise<AccessRequest> {
    const message = errorText(error);
    const attempts = request.attempts + 1;
    const log = `${operation === 'apply' ? 'Applying' : 'Removing'} grant ${
      request.id
    } failed (attempt ${attempts}): ${message}`;
    if (operation === 'apply') this.#o.logger.warn(log);
    else this.#o.logger.error(log);
    const failedAt = this.#now();
    if (giveUp) {
      await this.#o.store.transition(
        request,
        state,
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
        state,
        failedAt,
        { attempts, lastError: message, nextAttemptAt: retryAt },
        {
          event: 'failed',
          actor: SYSTEM_ACTOR,
          reason: message,
          details: { operation, attempts, retryAt },
        },
      );
    }
    const current = await requireRequest(this.#o.store, request.id);
    await this.#o.auditor.record(
      'failed',
      current,
      SYSTEM_ACTOR,
      { operation, attempts },
      error as Error,
    );
    return current;
  }

  /**
   * Applies an approved grant: RoleBindings through the driver, then
   * `approved → active`. The clock starts here.
   */
  async apply(request: AccessRequest): Promise<AccessRequest> {
    const [current] = await this.applyMany([request]);
    return current;
  }

  /**
   * Applies many grants as `apply` applies one, in chunks: one statement
   * takes a chunk's leases, bindings are written with at most `concurrency`
   * driver calls at a time, and the chunk's moves commit in one transaction.
   * Answers each request as it is now, in order.
   */
  async applyMany(
    requests: AccessRequest[],
    options: { concurrency?: number } = {},
  ): Promise<AccessRequest[]> {
    const done = new Map<string, AccessRequest>();
    for (let i = 0; i < requests.length; i += CHUNK) {
      const chunk = requests.slice(i, i + CHUNK);
      for (const r of await this.#applyChunk(chunk, options.concurrency ?? 8))
        done.set(r.id, r);
    }
    return requests.map(r => done.get(r.id) ?? r);
  }

  async #applyChunk(
    requests: AccessRequest[],
    concurrency: number,
  ): Promise<AccessRequest[]> {
    const { store } = this.#o;
    const claimed = await this.#claimMany(requests, 'approved');
    const written: Array<{
      request: AccessRequest;
      move: RequestMove;
      bindings: AppliedBinding[];
    }> = [];
    const failed: Array<[AccessRequest, unknown]> = [];
    await forEachBounded(claimed, concurrency, async request => {
      try {
        const appliedAt = this.#now();
        const expiresAt = new Date(
          appliedAt.getTime() + request.durationSeconds * 1000,
        ).toISOString();
        const bindings = await this.#driver(request).apply(
          await this.#spec(request, expiresAt),
        );
        written.push({
          request,
          bindings,
          move: {
            request,
            from: 'approved',
            to: 'active',
            audit: {
              actor: SYSTEM_ACTOR,
              details: {
                bindings: bindings.map(
                  b => `${b.cluster}/${b.namespace}/${b.name}`,
                ),
              },
            },
            patch: {
              appliedAt: appliedAt.toISOString(),
              expiresAt,
              bindings,
              attempts: request.attempts + 1,
              nextAttemptAt: null,
              lastError: null,
            },
          },
        });
      } catch (e) {
        failed.push([request, e]);
      }
    });
    const current = new Map<string, AccessRequest>();
    for (const [request, e] of failed) {
      const attempts = request.attempts + 1;
      const after = await this.#failed(
        request,
        'approved',
        'apply',
        e,
        attempts >= this.#o.maxApplyAttempts,
      );
      if (attempts === 1) await this.#o.notifier.failed(after, errorText(e));
      current.set(request.id, after);
    }
    const moved = await store.transitionMany(
      written.map(w => w.move),
      this.#now(),
    );
    // Revoked or cancelled while we applied: take the bindings back (what
    // cannot be taken back now, the sweep's reconciliation removes).
    for (const { request, bindings } of written) {
      if (moved.has(request.id)) continue;
      try {
        await this.#driver(request).revoke(request.id, bindings);
      } catch (e) {
        this.#o.logger.warn(
          `Taking back the bindings of grant ${
            request.id
          }, ended while they were applied, failed: ${errorText(
            e,
          )}; the next reconciliation removes them`,
        );
      }
    }
    await this.#readInto(current, requests);
    for (const { move } of written) {
      const active = current.get(move.request.id);
      if (!moved.has(move.request.id) || !active) continue;
      await this.#o.auditor.record('applied', active, SYSTEM_ACTOR);
      await this.#o.notifier.applied(active);
      this.#o.onEntityChanged?.(active.entityRef);
    }
    return requests.map(r => current.get(r.id) ?? r);
  }

  /** The requests of `requests` whose lease in `state` this worker took. */
  async #claimMany(
    requests: AccessRequest[],
    state: 'approved' | 'active',
  ): Promise<AccessRequest[]> {
    const now = this.#now();
    const taken = await this.#o.store.claimMany(
      requests.map(r => r.id),
      state,
      now,
      new Date(now.getTime() + this.#leaseMs),
    );
    return requests.filter(r => taken.has(r.id));
  }

  /** Reads every request of `requests` not yet in `current`, as it is now. */
  async #readInto(
    current: Map<string, AccessRequest>,
    requests: AccessRequest[],
  ): Promise<void> {
    const ids = requests.filter(r => !current.has(r.id)).map(r => r.id);
    if (ids.length === 0) return;
    for (const r of await this.#o.store.list({ ids }, { limit: ids.length }))
      current.set(r.id, r);
  }

  /**
   * Ends an active grant or exemption: at expiry, or early when revocation
   * was asked. Bindings are removed first; only then does the request move,
   * so a failed removal is retried at the next sweep.
   */
  async end(request: AccessRequest): Promise<AccessRequest> {
    const [current] = await this.endMany([request]);
    return current;
  }

  /**
   * Ends many grants as `end` ends one, in chunks: one statement takes the
   * leases of a chunk, the bindings are removed with at most `concurrency`
   * driver calls at a time, and the chunk's moves and audit events are
   * written in one transaction. Answers each request as it is now, in order.
   */
  async endMany(
    requests: AccessRequest[],
    options: { concurrency?: number } = {},
  ): Promise<AccessRequest[]> {
    const ended = new Map<string, AccessRequest>();
    for (let i = 0; i < requests.length; i += CHUNK) {
      const chunk = requests.slice(i, i + CHUNK);
      for (const r of await this.#endChunk(chunk, options.concurrency ?? 8))
        ended.set(r.id, r);
    }
    return requests.map(r => ended.get(r.id) ?? r);
  }

  async #endChunk(
    requests: AccessRequest[],
    concurrency: number,
  ): Promise<AccessRequest[]> {
    const { store } = this.#o;
    const now = this.#now();
    const claimed = await this.#claimMany(requests, 'active');
    const removed: AccessRequest[] = [];
    const failed: Array<[AccessRequest, unknown]> = [];
    await forEachBounded(claimed, concurrency, async r => {
      try {
        if (r.kind === 'access' && r.bindings.length > 0)
          await this.#driver(r).revoke(r.id, r.bindings);
        removed.push(r);
      } catch (e) {
        failed.push([r, e]);
      }
    });
    const current = new Map<string, AccessRequest>();
    for (const [r, e] of failed)
      current.set(r.id, await this.#failed(r, 'active', 'revoke', e, false));

    const endedAt = this.#now();
    const moves = removed.map(r => this.#endMove(r, now, endedAt));
    const moved = await store.transitionMany(moves, endedAt);
    await this.#readInto(current, requests);

    const endedNow = moves.flatMap(move => {
      const grant = current.get(move.request.id);
      return grant && moved.has(move.request.id) ? [{ grant, move }] : [];
    });
    await this.#cancelExtensions(endedNow.map(e => e.grant));
    for (const { grant, move } of endedNow) {
      const to = move.to as 'expired' | 'revoked';
      await this.#o.auditor.record(to, grant, move.audit.actor);
      await this.#o.notifier.ended(grant, to);
      this.#o.onEntityChanged?.(grant.entityRef);
    }
    return requests.map(r => current.get(r.id) ?? r);
  }

  /** The move that ends `request`: revoked when it ends before its expiry or was asked to, expired otherwise. */
  #endMove(request: AccessRequest, now: Date, endedAt: Date): RequestMove {
    const early =
      request.revokeRequested ||
      (request.expiresAt !== undefined &&
        Date.parse(request.expiresAt) > now.getTime());
    const endedBy = early ? request.endedBy ?? SYSTEM_ACTOR : SYSTEM_ACTOR;
    return {
      request,
      from: 'active',
      to: early ? 'revoked' : 'expired',
      audit: { actor: endedBy, reason: early ? request.endReason : 'expired' },
      patch: {
        endedAt: endedAt.toISOString(),
        endedBy,
        endReason: early ? request.endReason ?? 'revoked' : 'expired',
        nextAttemptAt: null,
        lastError: null,
      },
    };
  }

  /**
   * Moves an active grant's RoleBindings to the expiry the store already
   * holds, under the grant's lease: never while it is being ended, so a
   * binding is never written back for a grant that is no longer active. A
   * revocation asked meanwhile is carried out at once after. A failure is
   * audited on the grant; the store's expiry is what the sweeper acts on
   * either way.
   */
  async updateExpiry(grant: AccessRequest, expiresAt: string): Promise<void> {
    const driver = this.#o.drivers.get(grant.cluster ?? '');
    if (!driver || !(await this.#claim(grant, 'active'))) return;
    try {
      const bindings = await driver.updateExpiry(
        await this.#spec(grant, expiresAt),
        grant.bindings,
      );
      await this.#o.store.update(grant, 'active', this.#now(), {
        bindings,
        nextAttemptAt: null,
      });
    } catch (e) {
      await this.#o.store.update(grant, 'active', this.#now(), {
        nextAttemptAt: null,
      });
      await this.#o.store.appendAudit(grant, 'failed', this.#now(), {
        actor: SYSTEM_ACTOR,
        reason: `updating the expiry annotation failed: ${errorText(e)}`,
        details: { operation: 'extend' },
      });
    }
    const current = await requireRequest(this.#o.store, grant.id);
    if (current.state === 'active' && current.revokeRequested) {
      await this.end(current);
    }
  }

  /** Ended grants' pending extensions are cancelled: there is nothing left to extend. */
  async #cancelExtensions(grants: AccessRequest[]) {
    if (grants.length === 0) return;
    const byId = new Map(grants.map(g => [g.id, g]));
    // At most one pending extension per grant (a unique index holds it).
    const pending = await this.#o.store.list(
      {
        kinds: ['extension'],
        parentIds: [...byId.keys()],
        states: ['pending'],
      },
      { limit: grants.length },
    );
    const now = this.#now();
    for (const extension of pending) {
      const grant = byId.get(extension.parentId ?? '');
      await cancelBySystem(
        this.#o.store,
        extension,
        `the grant was ${grant?.state ?? 'ended'}`,
        now,
      );
    }
  }
}
