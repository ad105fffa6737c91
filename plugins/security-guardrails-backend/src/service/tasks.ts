/*
 * The plugin's scheduled work: the full posture refresh (global, one replica
 * at a time), the catalog sync (local to each replica), the expiry sweep
 * (global, level-triggered) and the campaign nudges (global, level-triggered,
 * each sent once), and one watch per live cluster (global: a lease). Campaign deadlines are settled after each refresh and
 * each nudge run; campaign progress is counted after postures are stored.
 */
import { SchedulerService } from '@backstage/backend-plugin-api';
import { GuardrailsContext } from './buildGuardrailsContext';

export const POSTURE_REFRESH_TASK_ID = 'security-guardrails-posture-refresh';
export const ACCESS_SWEEP_TASK_ID = 'security-guardrails-access-sweep';
export const CATALOG_SYNC_TASK_ID = 'security-guardrails-catalog-sync';
export const CAMPAIGN_NUDGES_TASK_ID = 'security-guardrails-campaign-nudges';
/** Followed by the cluster's name. */
export const WATCH_TASK_ID_PREFIX = 'security-guardrails-watch-';

export async function scheduleGuardrailsTasks(
  scheduler: SchedulerService,
  context: GuardrailsContext,
): Promise<void> {
  const { config, posture, access, nudges, campaigns } = context;
  // Campaign progress is counted for new postures in the background, so
  // pages do not wait for it; the task's lock is not held for it.
  const warmCampaigns = () => {
    void campaigns.warm();
  };
  await scheduler.scheduleTask({
    id: POSTURE_REFRESH_TASK_ID,
    ...config.posture.schedule,
    scope: 'global',
    fn: async () => {
      await posture.refreshAll();
      // Deadlines that passed are decided on the postures just stored (the
      // nudge task does it too, every nudgeFrequency).
      await campaigns.settleDeadlines();
      warmCampaigns();
    },
  });
  // Entities the catalog adds or changes (at start while it ingests, or
  // registered later) are evaluated within seconds, not at the next full
  // refresh. Local to each replica: a run is cheap and idempotent, and no
  // lock left by a replica that died mid-run can hold it up.
  await scheduler.scheduleTask({
    id: CATALOG_SYNC_TASK_ID,
    frequency: config.posture.catalogSyncFrequency,
    timeout: { minutes: 5 },
    scope: 'local',
    fn: async () => {
      const sync = await posture.syncWithCatalog();
      // Watched changes are mapped to entities with the catalog as it is now.
      if (sync.evaluated || sync.removed) context.live.catalogChanged();
      warmCampaigns();
    },
  });
  // Level-triggered expiry: runs at start too, so grants that expired while
  // the backend was down are revoked at once.
  await scheduler.scheduleTask({
    id: ACCESS_SWEEP_TASK_ID,
    frequency: { seconds: config.access.sweepFrequencySeconds },
    // The lock a sweep holds: if a backend dies mid-sweep, another takes
    // over after this long. A sweep stops itself after 20 s.
    timeout: { minutes: 1 },
    scope: 'global',
    fn: async () => {
      await access.sweeper.sweep();
    },
  });
  await scheduleClusterWatches(scheduler, context);
  // Campaign nudges, level-triggered like expiry: what is due and not sent
  // yet goes out, each once (claimed in the database before it is sent).
  await scheduler.scheduleTask({
    id: CAMPAIGN_NUDGES_TASK_ID,
    frequency: config.campaigns.nudgeFrequency,
    timeout: { minutes: 5 },
    scope: 'global',
    fn: async () => {
      await nudges.run();
      // After the nudges, so teams not done hear of the deadline first.
      await campaigns.settleDeadlines();
    },
  });
}

/**
 * Each watched cluster is followed by one replica at a time: the task is
 * global, so its run is a lease in the scheduler's table. A run holds the
 * watch for `leaseSeconds` and returns; the next run starts at once, on
 * whichever replica claims it (one that held it before resumes its watches
 * where they were). A replica that shuts down releases the lease; one that
 * dies loses it when the run's timeout (lease + 30 s) passes.
 */
export async function scheduleClusterWatches(
  scheduler: SchedulerService,
  context: Pick<GuardrailsContext, 'watches' | 'live'>,
): Promise<void> {
  for (const { watch, leaseSeconds } of context.watches) {
    await scheduler.scheduleTask({
      id: `${WATCH_TASK_ID_PREFIX}${watch.cluster}`,
      frequency: { seconds: 1 },
      timeout: { seconds: leaseSeconds + 30 },
      scope: 'global',
      fn: async signal => {
        const lease = AbortSignal.any([
          signal,
          AbortSignal.timeout(leaseSeconds * 1000),
        ]);
        await context.live.follow(watch, lease);
      },
    });
  }
}
