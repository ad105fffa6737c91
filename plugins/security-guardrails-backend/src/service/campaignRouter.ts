/*
 * The campaign routes: reading follows summary.read (and posture.read on
 * the entity for an entity's campaigns); creating and changing need
 * campaign.manage. Only translation here: the rules are CampaignService's.
 */
import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import {
  API_ROUTES,
  campaignIdParams,
  guardrailsCampaignManagePermission,
  guardrailsPostureReadPermission,
  guardrailsSummaryReadPermission,
  noQuery,
} from '@internal/backstage-plugin-security-guardrails-common';
import express from 'express';
import Router from 'express-promise-router';
import { CatalogEntities } from '../catalog/CatalogEntities';
import { CampaignService } from '../campaigns/CampaignService';
import {
  principalRef,
  requireEntityPermission,
  requirePermission,
} from './permissions';
import { expressPath, parseInput } from './validation';

export interface CampaignRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: Pick<CatalogEntities, 'get'>;
  campaigns: CampaignService;
}

export function createCampaignRouter(
  options: CampaignRouterOptions,
): express.Router {
  const { httpAuth, permissions, catalog, campaigns } = options;
  const router = Router();
  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  /** For reads of one campaign: summary.read, then its id (and no query). */
  async function readableCampaignId(
    req: express.Request,
    route: { params: typeof campaignIdParams; query: typeof noQuery },
  ): Promise<string> {
    await requirePermission(
      permissions,
      await credentialsOf(req),
      guardrailsSummaryReadPermission,
    );
    const { id } = parseInput(route.params, req.params, 'path');
    parseInput(route.query, req.query, 'query');
    return id;
  }

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
    res
      .status(201)
      .json(await campaigns.create(body, principalRef(credentials)));
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

  router.get(expressPath(API_ROUTES.getOwnerCampaigns), async (req, res) => {
    await requirePermission(
      permissions,
      await credentialsOf(req),
      guardrailsSummaryReadPermission,
    );
    const { kind, namespace, name } = parseInput(
      API_ROUTES.getOwnerCampaigns.params,
      req.params,
      'path',
    );
    parseInput(API_ROUTES.getOwnerCampaigns.query, req.query, 'query');
    res.json(
      await campaigns.forOwner(stringifyEntityRef({ kind, namespace, name })),
    );
  });

  router.get(expressPath(API_ROUTES.getCampaign), async (req, res) => {
    const id = await readableCampaignId(req, API_ROUTES.getCampaign);
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
    res.json(await campaigns.update(id, body, principalRef(credentials)));
  });

  router.get(expressPath(API_ROUTES.getCampaignProgress), async (req, res) => {
    const id = await readableCampaignId(req, API_ROUTES.getCampaignProgress);
    res.json(await campaigns.progress(id));
  });

  router.get(expressPath(API_ROUTES.getCampaignBurndown), async (req, res) => {
    const id = await readableCampaignId(req, API_ROUTES.getCampaignBurndown);
    res.json(await campaigns.burndown(id));
  });

  return router;
}
