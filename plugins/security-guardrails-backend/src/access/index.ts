/*
 * Time-limited access: requests and their lifecycle (AccessRequestService),
 * the rules (AccessPolicy), applying and ending grants on clusters
 * (GrantReconciler, through a GrantDriver per cluster), the expiry sweep,
 * reads (AccessQueries), the store and the audit. `createAccess` wires one
 * set of them over a store.
 */
import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { Campaign } from '@internal/backstage-plugin-security-guardrails-common';
import { AccessPolicy } from './AccessPolicy';
import { AccessRequestService } from './AccessRequestService';
import { AccessContextReader } from './actors';
import { AccessAuditor } from './auditor';
import { AccessStore } from './AccessStore';
import { GrantDriver } from './drivers/types';
import { ExpirySweeper } from './ExpirySweeper';
import { GrantReconciler } from './GrantReconciler';
import { AccessNotifier } from './notifier';
import { AccessQueries } from './queries';

export { AccessPolicy } from './AccessPolicy';
export type { Actor } from './AccessPolicy';
export { AccessRequestService } from './AccessRequestService';
export { actorFilter, AUTO_APPROVER, SYSTEM_ACTOR } from './actors';
export type { AccessContextReader } from './actors';
export type { AccessStore } from './AccessStore';
export { DatabaseAccessStore } from './DatabaseAccessStore';
export { ExpirySweeper } from './ExpirySweeper';
export type { SweepReport } from './ExpirySweeper';
export { GrantReconciler } from './GrantReconciler';
export { AccessNotifier } from './notifier';
export type { NotificationSender } from './notifier';
export {
  AccessQueries,
  activeExemptionRules,
  activeManagedGrants,
} from './queries';
export type { ListQuery } from './queries';

export interface AccessOptions {
  store: AccessStore;
  policy: AccessPolicy;
  drivers: Map<string, GrantDriver>;
  context: AccessContextReader;
  notifier: AccessNotifier;
  auditor?: AuditorService;
  logger: LoggerService;
  /** Check ids an exemption may name. */
  knownChecks: ReadonlySet<string>;
  /** A campaign by id, for exemption requests that name one. */
  campaignOf?: (id: string) => Promise<Campaign | undefined>;
  /** Called when a grant or exemption changes what an entity's posture shows. */
  onEntityChanged?: (entityRef: string) => void;
  now?: () => Date;
  /** How long a worker holds a request while applying or revoking. */
  leaseMs?: number;
  /** The sweep's tuning; the expiry warning defaults to `access.expiryWarning`. */
  sweep?: Partial<
    Omit<
      ConstructorParameters<typeof ExpirySweeper>[0],
      'reconciler' | 'store' | 'drivers' | 'notifier' | 'logger' | 'now'
    >
  >;
}

export interface Access {
  requests: AccessRequestService;
  reconciler: GrantReconciler;
  queries: AccessQueries;
  sweeper: ExpirySweeper;
}

export function createAccess(options: AccessOptions): Access {
  const { store, drivers, notifier, logger, now, onEntityChanged } = options;
  const auditor = new AccessAuditor(options.auditor, logger);
  const reconciler = new GrantReconciler({
    store,
    drivers,
    context: options.context,
    notifier,
    auditor,
    logger,
    maxApplyAttempts: options.policy.config.maxApplyAttempts,
    onEntityChanged,
    now,
    leaseMs: options.leaseMs,
  });
  const requests = new AccessRequestService({
    store,
    policy: options.policy,
    reconciler,
    context: options.context,
    notifier,
    auditor,
    knownChecks: options.knownChecks,
    campaignOf: options.campaignOf,
    onEntityChanged,
    now,
  });
  const sweeper = new ExpirySweeper({
    expiryWarningSeconds: options.policy.config.expiryWarningSeconds,
    ...options.sweep,
    reconciler,
    store,
    drivers,
    notifier,
    logger,
    now,
  });
  return {
    requests,
    reconciler,
    queries: new AccessQueries(store, options.context),
    sweeper,
  };
}
