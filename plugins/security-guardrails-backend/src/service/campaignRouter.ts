/*
 * The campaign routes: reading follows summary.read (and posture.read on
 * the entity for an entity's campaigns); creating and changing need
 * campaign.manage. Only translation here: the rules are CampaignService's.
 */
import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import {
  API_ROUTES,
  guardrailsCampaignManagePermission,
  guardrailsPostureReadPermission,
  guardrailsSummaryReadPermission,
} from '@internal/backstage-plugin-security-guardrails-common';
import express from 'express';
import Router from 'express-promise-router';
import { CatalogEntities } from '../catalog/CatalogEntities';
import { CampaignService } from '../campaigns/CampaignService';
import { requireEntityPermission, requirePermission } from './permissions';
import { expressPath, parseInput } from './validation';

export interface CampaignRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: Pick<CatalogEntities, 'get'>;
  campaigns: CampaignService;
}

function actorOf(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    userEntityRef?: string;
    subject?: string;
  };
  return p.userEntityRef ?? `service:${p.subject ?? 'unknown'}`;
}

export function createCampaignRouter(
  options: CampaignRouterOptions,
): express.Router {
  const { httpAuth, permissions, catalog, campaigns } = options;
  const router = Router();
  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  router.get(expressPath(API_ROUTES.listCampaigns), async (req, res) => {
    await requirePermission(
      permissions,
      await credentialsOf(req),
      guardrailsSummaryReadPermission,
    );
    parseInput(API_ROUTES.listCampaigns.query, req.query, 'query');
    res.json({ items: await campaigns.list() });
  });

  router.post(expressPath(API_ROUTES.createCampaign), async (req, res) => {
    const credentials = await credentialsOf(req);
    await requirePermission(
      permissions,
      credentials,
      guardrailsCampaignManagePermission,
    );
    const body = parseInput(API_ROUTES.createCampaign.body, req.body, 'body');
    res.status(201).json(await campaigns.create(body, actorOf(credentials)));
  });

  router.get(expressPath(API_ROUTES.getEntityCampaigns), async (req, res) => {
    const credentials = await credentialsOf(req);
    const { kind, namespace, name } = parseInput(
      API_ROUTES.getEntityCampaigns.params,
      req.params,
      'path',
    );
    parseInput(API_ROUTES.getEntityCampaigns.query, req.query, 'query');
    const asked = stringifyEntityRef({ kind, namespace, name });
    const entity = await catalog.get(asked, credentials);
    if (!entity) throw new NotFoundError(`No entity ${asked} in the catalog`);
    const entityRef = stringifyEntityRef(entity);
    await requireEntityPermission(
      permissions,
      credentials,
      guardrailsPostureReadPermission,
      entityRef,
    );
    res.json(await campaigns.forEntity(entityRef));
  });

  router.get(expressPath(API_ROUTES.getCampaign), async (req, res) => {
    await requirePermission(
      permissions,
      await credentialsOf(req),
      guardrailsSummaryReadPermission,
    );
    const { id } = parseInput(
      API_ROUTES.getCampaign.params,
      req.params,
      'path',
    );
    parseInput(API_ROUTES.getCampaign.query, req.query, 'query');
    res.json(await campaigns.get(id));
  });

  router.put(expressPath(API_ROUTES.updateCampaign), async (req, res) => {
    const credentials = await credentialsOf(req);
    await requirePermission(
      permissions,
      credentials,
      guardrailsCampaignManagePermission,
    );
    const { id } = parseInput(
      API_ROUTES.updateCampaign.params,
      req.params,
      'path',
    );
    const body = parseInput(API_ROUTES.updateCampaign.body, req.body, 'body');
    res.json(await campaigns.update(id, body, actorOf(credentials)));
  });

  router.get(expressPath(API_ROUTES.getCampaignProgress), async (req, res) => {
    await requirePermission(
      permissions,
      await credentialsOf(req),
      guardrailsSummaryReadPermission,
    );
    const { id } = parseInput(
      API_ROUTES.getCampaignProgress.params,
      req.params,
      'path',
    );
    parseInput(API_ROUTES.getCampaignProgress.query, req.query, 'query');
    res.json(await campaigns.progress(id));
  });

  router.get(expressPath(API_ROUTES.getCampaignBurndown), async (req, res) => {
    await requirePermission(
      permissions,
      await credentialsOf(req),
      guardrailsSummaryReadPermission,
    );
    const { id } = parseInput(
      API_ROUTES.getCampaignBurndown.params,
      req.params,
      'path',
    );
    parseInput(API_ROUTES.getCampaignBurndown.query, req.query, 'query');
    res.json(await campaigns.burndown(id));
  });

  return router;
}
