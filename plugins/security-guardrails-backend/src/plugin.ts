import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  CHECK_ID_PATTERN,
  guardrailsPermissions,
} from '@internal/backstage-plugin-security-guardrails-common';
import {
  Check,
  ClusterStateSource,
  securityGuardrailsChecksExtensionPoint,
  securityGuardrailsSourcesExtensionPoint,
} from '@internal/backstage-plugin-security-guardrails-node';
import express from 'express';
import Router from 'express-promise-router';
import { AccessPolicy } from './access/AccessPolicy';
import { AccessRequestService } from './access/AccessRequestService';
import { readAccessConfig } from './access/config';
import { DatabaseAccessStore } from './access/DatabaseAccessStore';
import { createGrantDrivers } from './access/drivers';
import { ExpirySweeper } from './access/ExpirySweeper';
import { AccessNotifier } from './access/notifier';
import { registerActions } from './actions/registerActions';
import { CatalogEntities, toEntityInfo } from './catalog/CatalogEntities';
import { readPostureConfig } from './config';
import { connect } from './database/migrate';
import { BUILTIN_CHECKS } from './engine';
import { DatabasePostureStore } from './posture/DatabasePostureStore';
import { PostureService } from './posture/PostureService';
import { createAccessRouter } from './service/accessRouter';
import { createPostureRouter } from './service/postureRouter';
import { unavailableAsServiceUnavailable } from './service/unavailable';
import { createSources, readClusterConfigs } from './sources';

export const POSTURE_REFRESH_TASK_ID = 'security-guardrails-posture-refresh';
export const ACCESS_SWEEP_TASK_ID = 'security-guardrails-access-sweep';
export const CATALOG_SYNC_TASK_ID = 'security-guardrails-catalog-sync';

function withCustomChecks(custom: Check[]): Check[] {
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

/**
 * Security Guardrails backend: posture of every service from catalog
 * metadata and cluster state, with history; time-limited access.
 *
 * @public
 */
export const securityGuardrailsPlugin = createBackendPlugin({
  pluginId: 'security-guardrails',
  register(env) {
    const customChecks: Check[] = [];
    const customSources: ClusterStateSource[] = [];
    env.registerExtensionPoint(securityGuardrailsChecksExtensionPoint, {
      addChecks(...checks) {
        customChecks.push(...checks);
      },
    });
    env.registerExtensionPoint(securityGuardrailsSourcesExtensionPoint, {
      addSource(source) {
        customSources.push(source);
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        auth: coreServices.auth,
        auditor: coreServices.auditor,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        notifications: notificationService,
      },
      async init(deps) {
        const { config, logger, scheduler, httpAuth, userInfo, permissions } =
          deps;
        const postureConfig = readPostureConfig(config);
        const accessConfig = readAccessConfig(config);
        const { clusters, warnings } = readClusterConfigs(config);
        for (const w of warnings) logger.warn(w.message);
        const sources = [...createSources(clusters), ...customSources];
        if (sources.length === 0) {
          logger.warn(
            'No clusters are configured under securityGuardrails.clusters: postures will only contain catalog checks',
          );
        }
        const checks = withCustomChecks(customChecks);
        deps.permissionsRegistry.addPermissions(guardrailsPermissions);

        const entities = CatalogEntities.create({
          catalog: deps.catalog,
          auth: deps.auth,
          kinds: postureConfig.entityKinds,
        });
        const db = await connect(deps.database);
        const postureStore = new DatabasePostureStore(db);
        const accessStore = new DatabaseAccessStore(db);
        const drivers = createGrantDrivers(clusters);

        // Approved exemption requests feed the engine, and the access service
        // reads postures (where an entity's objects are): they meet here.
        let access: AccessRequestService | undefined = undefined;
        const posture = PostureService.create({
          logger,
          sources,
          catalog: entities,
          store: postureStore,
          checks,
          settings: postureConfig.settings,
          annotationExemptions: postureConfig.annotationExemptions,
          disabledChecks: postureConfig.disabledChecks,
          exemptions: async () => [
            ...postureConfig.exemptions,
            ...((await access?.exemptionRules()) ?? []),
          ],
          managedGrants: async () => (await access?.managedGrants()) ?? [],
          historyRetentionDays: postureConfig.historyRetentionDays,
          refreshIntervalMs: postureConfig.refreshIntervalMs,
        });

        const notifier = new AccessNotifier(deps.notifications, logger);
        access = AccessRequestService.create({
          store: accessStore,
          policy: new AccessPolicy(accessConfig),
          drivers,
          notifier,
          auditor: deps.auditor,
          logger,
          knownChecks: new Set(checks.map(c => c.meta.id)),
          context: {
            entity: ref => entities.getAsService(ref),
            user: ref => entities.getAsService(ref),
            targets: async ref => {
              const targets = await postureStore.targets(ref);
              return targets.filter(t => drivers.has(t.cluster));
            },
          },
          // A grant or exemption changes what the entity's posture shows.
          onEntityChanged: ref => {
            entities
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
        });
        const sweeper = new ExpirySweeper({
          service: access,
          store: accessStore,
          drivers,
          notifier,
          logger,
          expiryWarningSeconds: accessConfig.expiryWarningSeconds,
        });

        await scheduler.scheduleTask({
          id: POSTURE_REFRESH_TASK_ID,
          ...postureConfig.schedule,
          scope: 'global',
          fn: async () => {
            await posture.refreshAll();
          },
        });
        // Entities the catalog adds or changes (at start while it ingests, or
        // registered later) are evaluated within seconds, not at the next
        // full refresh. Local to each replica: a run is cheap and idempotent,
        // and no lock left by a replica that died mid-run can hold it up.
        await scheduler.scheduleTask({
          id: CATALOG_SYNC_TASK_ID,
          frequency: postureConfig.catalogSyncFrequency,
          timeout: { minutes: 5 },
          scope: 'local',
          fn: async () => {
            await posture.syncWithCatalog();
          },
        });

        // Level-triggered expiry: runs at start too, so grants that expired
        // while the backend was down are revoked at once.
        await scheduler.scheduleTask({
          id: ACCESS_SWEEP_TASK_ID,
          frequency: { seconds: accessConfig.sweepFrequencySeconds },
          // The lock a sweep holds: if a backend dies mid-sweep, another takes
          // over after this long. A sweep stops itself after 20 s.
          timeout: { minutes: 1 },
          scope: 'global',
          fn: async () => {
            await sweeper.sweep();
          },
        });

        registerActions({
          actionsRegistry: deps.actionsRegistry,
          permissions,
          catalog: entities,
          posture,
        });

        const router = Router();
        router.use(express.json({ limit: '64kb' }));
        router.get('/health', (_req, res) => {
          res.json({ status: 'ok' });
        });
        router.use(
          createPostureRouter({
            httpAuth,
            permissions,
            catalog: entities,
            posture,
          }),
        );
        router.use(
          createAccessRouter({
            httpAuth,
            userInfo,
            permissions,
            catalog: entities,
            access,
          }),
        );
        router.use(unavailableAsServiceUnavailable(logger));
        deps.httpRouter.use(router);
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
