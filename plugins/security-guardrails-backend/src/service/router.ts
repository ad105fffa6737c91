/*
 * The plugin's HTTP API: health, its OpenAPI document, the posture routes and the access routes
 * over one built context, with a cluster that cannot be read answered as
 * 503. Mounted by the plugin, and by the benchmark as it is.
 */
import {
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  API_ROUTES,
  guardrailsChecksReadPermission,
} from '@internal/backstage-plugin-security-guardrails-common';
import express from 'express';
import Router from 'express-promise-router';
import { buildOpenApiDocument } from '../schema/openapi';
import { createAccessRouter } from './accessRouter';
import { createCampaignRouter } from './campaignRouter';
import { GuardrailsContext } from './buildGuardrailsContext';
import { createPostureRouter } from './postureRouter';
import { requirePermission } from './permissions';
import { unavailableAsServiceUnavailable } from './unavailable';
import { expressPath } from './validation';

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
  router.get(expressPath(API_ROUTES.health), (_req, res) => {
    res.json({ status: 'ok' });
  });
  const document = buildOpenApiDocument();
  router.get(expressPath(API_ROUTES.openApi), async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await requirePermission(
      permissions,
      credentials,
      guardrailsChecksReadPermission,
    );
    res.json(document);
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
  router.use(
    createCampaignRouter({
      httpAuth,
      permissions,
      catalog: context.catalog,
      campaigns: context.campaigns,
    }),
  );
  router.use(unavailableAsServiceUnavailable(logger));
  return router;
}
