/*
 * The composition root: every object the plugin runs, built once from
 * config and the Backstage services it is given. The plugin, the test
 * backend (through the plugin) and the benchmark all build through here, so
 * what is measured and tested is what runs.
 *
 * Access and posture meet here: the engine reads active exemptions and
 * managed grants from the access store, and a grant or exemption that starts
 * or ends refreshes its entity's posture.
 */
import {
  AuditorService,
  AuthService,
  DatabaseService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { CHECK_ID_PATTERN } from '@internal/backstage-plugin-security-guardrails-common';
import {
  Check,
  ClusterStateSource,
} from '@internal/backstage-plugin-security-guardrails-node';
import {
  Access,
  AccessNotifier,
  AccessPolicy,
  AccessStore,
  activeExemptionRules,
  activeManagedGrants,
  createAccess,
  DatabaseAccessStore,
  NotificationSender,
} from '../access';
import { createGrantDrivers } from '../access/drivers';
import { GrantDriver } from '../access/drivers/types';
import { Entity } from '@backstage/catalog-model';
import {
  CatalogEntities,
  groupsOf,
  ownerOf,
  toEntityInfo,
} from '../catalog/CatalogEntities';
import { namespaceOwners, resolveTargets } from '../access/targets';
import { GuardrailsConfig, readGuardrailsConfig } from '../config';
import { BUILTIN_CHECKS } from '../engine';
import { DatabasePostureStore } from '../posture/DatabasePostureStore';
import { PostureQueries } from '../posture/PostureQueries';
import { PostureService } from '../posture/PostureService';
import { DemoHistorySeeder } from '../posture/demoHistory';
import { CampaignService } from '../campaigns/CampaignService';
import { DatabaseCampaignStore } from '../campaigns/DatabaseCampaignStore';
import { seedDemoCampaigns } from '../campaigns/demoCampaigns';
import { CampaignNudges } from '../campaigns/CampaignNudges';
import { PostureStore } from '../posture/PostureStore';
import { createSources, WatchedCluster } from '../sources';
import { LivePostures } from '../posture/LivePostures';

export interface GuardrailsContextOptions {
  config: Config;
  logger: LoggerService;
  database: DatabaseService;
  catalog: CatalogService;
  auth: AuthService;
  auditor?: AuditorService;
  /** The notifications backend, when it is installed. */
  notifications?: NotificationSender;
  /** Checks added through the checks extension point. */
  customChecks?: Check[];
  /** Sources added through the sources extension point. */
  customSources?: ClusterStateSource[];
  /** The clock (tests and the benchmark move it). */
  now?: () => Date;
  /** Tuning of the expiry sweep (the benchmark and tests). */
  sweep?: Parameters<typeof createAccess>[0]['sweep'];
}

export interface GuardrailsContext {
  config: GuardrailsConfig;
  checks: Check[];
  catalog: CatalogEntities;
  posture: PostureService;
  postureQueries: PostureQueries;
  postureStore: PostureStore;
  access: Access;
  accessStore: AccessStore;
  drivers: Map<string, GrantDriver>;
  campaigns: CampaignService;
  nudges: CampaignNudges;
  /** Live clusters followed by watches, each with its lease length (seconds). */
  watches: WatchedCluster[];
  live: LivePostures;
}

/** The built-in checks and the custom ones, whose ids must be new and well formed. */
export function withCustomChecks(custom: Check[]): Check[] {
  const checks = [...BUILTIN_CHECKS];
  for (const check of custom) {
    if (!CHECK_ID_PATTERN.test(check.meta.id)) {
      throw new Error(
        `Custom check id '${check.meta.id}' must look like <family>.<name> in lower case`,
      );
    }
    if (checks.some(c => c.meta.id === check.meta.id)) {
      throw new Error(`Custom check id '${check.meta.id}' is already taken`);
    }
    checks.push(check);
  }
  return checks;
}

export async function buildGuardrailsContext(
  options: GuardrailsContextOptions,
): Promise<GuardrailsContext> {
  const { logger } = options;
  const config = readGuardrailsConfig(options.config);
  for (const w of config.warnings) logger.warn(w.message);
  const configured = createSources(config.clusters, logger);
  const sources = [...configured.sources, ...(options.customSources ?? [])];
  if (sources.length === 0) {
    logger.warn(
      'No clusters are configured under securityGuardrails.clusters: postures will only contain catalog checks',
    );
  }
  const checks = withCustomChecks(options.customChecks ?? []);

  const catalog = CatalogEntities.create({
    catalog: options.catalog,
    auth: options.auth,
    kinds: config.posture.entityKinds,
  });
  const postureStore = await DatabasePostureStore.create({
    database: options.database,
    answerCache: config.posture.answerCache,
  });
  const accessStore = await DatabaseAccessStore.create(options);
  const campaignStore = await DatabaseCampaignStore.create(options);
  const drivers = createGrantDrivers(config.clusters);

  const posture = PostureService.create({
    logger,
    sources,
    catalog,
    store: postureStore,
    checks,
    settings: config.posture.settings,
    annotationExemptions: config.posture.annotationExemptions,
    disabledChecks: config.posture.disabledChecks,
    exemptions: async () => [
      ...config.posture.exemptions,
      ...(await activeExemptionRules(accessStore)),
    ],
    managedGrants: () => activeManagedGrants(accessStore),
    historyRetentionDays: config.posture.historyRetentionDays,
    historySeeder: config.posture.demoHistoryDays
      ? new DemoHistorySeeder({
          store: postureStore,
          days: config.posture.demoHistoryDays,
          logger,
        })
      : undefined,
    refreshIntervalMs: config.posture.refreshIntervalMs,
    refreshesPerCallerPerMinute: config.posture.refreshesPerCallerPerMinute,
  });

  // The entity's owner and, when a person owns it, the groups they belong to.
  const ownerRefsOf = async (entity: Entity): Promise<string[]> => {
    const owner = ownerOf(entity);
    if (!owner) return [];
    if (!owner.startsWith('user:')) return [owner];
    const user = await catalog.getAsService(owner);
    return [owner, ...(user ? groupsOf(user) : [])];
  };

  const access = createAccess({
    store: accessStore,
    policy: new AccessPolicy(config.access),
    drivers,
    notifier: new AccessNotifier(options.notifications, logger),
    auditor: options.auditor,
    logger,
    knownChecks: new Set(checks.map(c => c.meta.id)),
    campaignOf: id => campaignStore.get(id),
    context: {
      entity: ref => catalog.getAsService(ref),
      user: ref => catalog.getAsService(ref),
      targets: async ref => {
        const [where, entity, nsObjects] = await Promise.all([
          postureStore.targets(ref),
          catalog.getAsService(ref),
          posture.namespaces(),
        ]);
        return resolveTargets({
          entityRef: ref,
          ownerRefs: entity ? await ownerRefsOf(entity) : [],
          where,
          owners: namespaceOwners(nsObjects, config.access.namespaceOwners),
          allowSystemNamespaces: config.access.allowSystemNamespaces,
          canGrant: cluster => drivers.has(cluster),
        });
      },
    },
    // A grant or exemption changes what the entity's posture shows.
    onEntityChanged: ref => {
      catalog
        .getAsService(ref)
        .then(entity =>
          entity
            ? posture.refreshEntity(toEntityInfo(entity), { force: true })
            : undefined,
        )
        .catch(e =>
          logger.warn(`Could not refresh the posture of ${ref}: ${e}`),
        );
    },
    now: options.now,
    sweep: options.sweep,
  });

  const campaigns = new CampaignService({
    store: campaignStore,
    knownChecks: new Set(checks.map(c => c.meta.id)),
    auditor: options.auditor,
    logger,
    now: options.now,
    // A full refresh stores the clusters it read last: until then a posture
    // table being filled is no ground to decide a deadline on.
    evaluated: async () =>
      (await postureStore.getOrgState('clusters')) !== undefined,
  });
  if (config.posture.demoCampaigns) {
    await seedDemoCampaigns({
      campaigns,
      claim: key => postureStore.claimOrgState(key, { seeded: true }),
      logger,
      now: options.now?.(),
    });
  }

  return {
    config,
    checks,
    catalog,
    posture,
    watches: configured.watches,
    live: new LivePostures({ posture, catalog, logger }),
    postureQueries: new PostureQueries({
      store: postureStore,
      checks,
      now: options.now,
    }),
    postureStore,
    access,
    accessStore,
    drivers,
    campaigns,
    nudges: new CampaignNudges({
      store: campaignStore,
      claim: (key, value) => postureStore.claimOrgState(key, value),
      sender: options.notifications,
      logger,
      reminderDays: config.campaigns.reminderDays,
      now: options.now,
    }),
  };
}
