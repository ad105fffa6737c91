/*
 * The plugin's HTTP API: health, the posture routes and the access routes
 * over one built context, with a cluster that cannot be read answered as
 * 503. Mounted by the plugin, and by the benchmark as it is.
 */
import {
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { createAccessRouter } from './accessRouter';
import { GuardrailsContext } from './buildGuardrailsContext';
import { createPostureRouter } from './postureRouter';
import { unavailableAsServiceUnavailable } from './unavailable';

export interface GuardrailsRouterOptions {
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  logger: LoggerService;
}

export function createGuardrailsRouter(
  context: GuardrailsContext,
  options: GuardrailsRouterOptions,
): express.Router {
  const { httpAuth, userInfo, permissions, logger } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.use(
    createPostureRouter({
      httpAuth,
      permissions,
      catalog: context.catalog,
      posture: context.posture,
      queries: context.postureQueries,
    }),
  );
  router.use(
    createAccessRouter({
      httpAuth,
      userInfo,
      permissions,
      catalog: context.catalog,
      access: context.access.requests,
      queries: context.access.queries,
    }),
  );
  router.use(unavailableAsServiceUnavailable(logger));
  return router;
}
