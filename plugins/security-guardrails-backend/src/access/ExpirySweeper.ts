/*
 * Level-triggered expiry: every sweep looks at what the store says is due
 * now, whatever happened before. Grants that expired while the backend was
 * down are revoked at the next start; failed applies and removals are
 * retried; managed RoleBindings with no grant behind them are removed.
 * Runs as a global scheduled task, so replicas never sweep at once; the
 * store's leases and compare-and-set keep it safe even if they did.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { SYSTEM_ACTOR } from './actors';
import { AccessStore, DueLimits } from './AccessStore';
import { GrantReconciler } from './GrantReconciler';
import { GrantDriver } from './drivers/types';
import { AccessNotifier } from './notifier';

export interface SweepReport {
  timedOut: number;
  applied: number;
  ended: number;
  warned: number;
  reconciled: number;
  failures: number;
  durationMs: number;
}

export class ExpirySweeper {
  constructor(
    private readonly options: {
      reconciler: GrantReconciler;
      store: AccessStore;
      drivers: Map<string, GrantDriver>;
      notifier: AccessNotifier;
      logger: LoggerService;
      expiryWarningSeconds: number;
      now?: () => Date;
      /** Parallel driver calls while applying or revoking (default 8). */
      concurrency?: number;
      /**
       * How long one sweep keeps taking batches while more is due (default
       * 20 s, under the 30 s sweep interval); the rest waits for the next.
       */
      budgetMs?: number;
      /** How much due work one batch takes (the store's defaults). */
      batch?: DueLimits;
    },
  ) {}

  #now() {
    return this.options.now?.() ?? new Date();
  }

  async sweep(): Promise<SweepReport> {
    const started = Date.now();
    const { logger } = this.options;
    const report: SweepReport = {
      timedOut: 0,
      applied: 0,
      ended: 0,
      warned: 0,
      reconciled: 0,
      failures: 0,
      durationMs: 0,
    };
    const deadline = started + (this.options.budgetMs ?? 20_000);
    // Batches until nothing more is due, a batch moves nothing (another
    // replica holds the rest) or the budget is spent.
    const moved = () =>
      report.timedOut +
      report.applied +
      report.ended +
      report.warned +
      report.failures;
    for (;;) {
      const before = moved();
      const more = await this.#batch(report);
      if (!more || moved() === before || Date.now() >= deadline) break;
    }

    report.reconciled = await this.reconcile();
    report.durationMs = Date.now() - started;
    if (
      report.timedOut ||
      report.applied ||
      report.ended ||
      report.reconciled ||
      report.failures
    ) {
      logger.info(
        `Access sweep: ${report.applied} applied, ${report.ended} ended, ${report.timedOut} timed out, ${report.reconciled} orphan bindings removed, ${report.failures} failures`,
      );
    }
    return report;
  }

  /** One batch of due work; true when more was due than the batch held. */
  async #batch(report: SweepReport): Promise<boolean> {
    const { store, reconciler, notifier } = this.options;
    const now = this.#now();
    const due = await store.due(
      now,
      this.options.expiryWarningSeconds,
      this.options.batch,
    );

    for (const r of due.timedOut) {
      const moved = await store.transition(
        r,
        'pending',
        'timed-out',
        now,
        { actor: SYSTEM_ACTOR, reason: 'no decision in time' },
        {
          endedAt: now.toISOString(),
          endedBy: SYSTEM_ACTOR,
          endReason: 'timed out waiting for approval',
        },
      );
      if (moved) {
        report.timedOut++;
        await notifier.ended(r, 'timed-out');
      }
    }

    for (const after of await reconciler.applyMany(due.toApply, {
      concurrency: this.options.concurrency,
    })) {
      if (after.state === 'active') report.applied++;
      else if (after.lastError) report.failures++;
    }

    // Ended in chunks: one lease statement and one transaction per chunk.
    for (const after of await reconciler.endMany(due.toEnd, {
      concurrency: this.options.concurrency,
    })) {
      if (after.state === 'expired' || after.state === 'revoked')
        report.ended++;
      else if (after.lastError) report.failures++;
    }

    for (const r of due.toWarn) {
      if (await store.update(r, 'active', now, { expiryWarned: true })) {
        await notifier.expiring(r);
        report.warned++;
      }
    }

    return due.more;
  }

  /** Removes managed RoleBindings whose grant no longer holds access. */
  async reconcile(): Promise<number> {
    const { store, drivers, logger } = this.options;
    let removed = 0;
    const holding = await store.activeGrantIds();
    for (const driver of drivers.values()) {
      let managed;
      try {
        managed = await driver.listManaged();
      } catch (e) {
        logger.warn(
          `Could not list managed RoleBindings in ${driver.cluster}: ${
            (e as Error).message
          }`,
        );
        continue;
      }
      for (const binding of managed) {
        // Without a grant id the binding cannot be attributed: never delete it.
        if (!binding.grantId || holding.has(binding.grantId)) continue;
        const request = await store.get(binding.grantId);
        try {
          await driver.revoke(binding.grantId, [binding]);
          removed++;
          await store.appendAudit(
            request ?? {
              id: binding.grantId,
              kind: 'access',
              entityRef: 'unknown',
            },
            'reconciled',
            this.#now(),
            {
              actor: SYSTEM_ACTOR,
              reason: request
                ? `the grant is ${request.state}`
                : 'no grant in the store',
              details: {
                binding: `${binding.cluster}/${binding.namespace}/${binding.name}`,
              },
            },
          );
        } catch (e) {
          logger.warn(
            `Could not remove orphan RoleBinding ${binding.namespace}/${
              binding.name
            }: ${(e as Error).message}`,
          );
        }
      }
    }
    return removed;
  }
}
