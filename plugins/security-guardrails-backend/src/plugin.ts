import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { guardrailsPermissions } from '@internal/backstage-plugin-security-guardrails-common';
import {
  Check,
  ClusterStateSource,
  securityGuardrailsChecksExtensionPoint,
  securityGuardrailsSourcesExtensionPoint,
} from '@internal/backstage-plugin-security-guardrails-node';
import { registerActions } from './actions/registerActions';
import { buildGuardrailsContext } from './service/buildGuardrailsContext';
import { createGuardrailsRouter } from './service/router';
import { scheduleGuardrailsTasks } from './service/tasks';

export {
  ACCESS_SWEEP_TASK_ID,
  CATALOG_SYNC_TASK_ID,
  POSTURE_REFRESH_TASK_ID,
} from './service/tasks';

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
        const { logger, permissions } = deps;
        const context = await buildGuardrailsContext({
          config: deps.config,
          logger,
          database: deps.database,
          catalog: deps.catalog,
          auth: deps.auth,
          auditor: deps.auditor,
          notifications: deps.notifications,
          customChecks,
          customSources,
        });
        deps.permissionsRegistry.addPermissions(guardrailsPermissions);
        await scheduleGuardrailsTasks(deps.scheduler, context);
        registerActions({
          actionsRegistry: deps.actionsRegistry,
          permissions,
          catalog: context.catalog,
          posture: context.posture,
          queries: context.postureQueries,
          campaigns: context.campaigns,
        });
        deps.httpRouter.use(
          createGuardrailsRouter(context, {
            httpAuth: deps.httpAuth,
            userInfo: deps.userInfo,
            permissions,
            logger,
          }),
        );
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
