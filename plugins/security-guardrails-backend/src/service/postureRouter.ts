/*
 * HTTP <-> posture service: validation, visibility and permission checks,
 * nothing else.
 */
import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { BasicPermission } from '@backstage/plugin-permission-common';
import {
  API_ROUTES,
  CheckDescription,
  PostureScope,
  guardrailsChecksReadPermission,
  guardrailsPostureReadPermission,
  guardrailsPostureRefreshPermission,
  guardrailsSummaryReadPermission,
} from '@internal/backstage-plugin-security-guardrails-common';
import express from 'express';
import Router from 'express-promise-router';
import {
  CatalogEntities,
  normalizeRef,
  toEntityInfo,
} from '../catalog/CatalogEntities';
import { lookupPosture } from '../posture/lookup';
import { PostureQueries } from '../posture/PostureQueries';
import { PostureService, RateLimitedError } from '../posture/PostureService';
import {
  filterByEntityPermission,
  principalRef,
  requireEntityPermission,
  requirePermission,
} from './permissions';
import { expressPath, parseInput } from './validation';

export interface PostureRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogEntities;
  /** Evaluation: refresh, status, on-demand postures. */
  posture: PostureService;
  /** Reads of stored postures. */
  queries: PostureQueries;
}

/** Who is asking, for per-caller limits: the user, or the calling service. */
/** Owners and systems as full refs (`payments` is `group:default/payments`), lifecycles as written. */
function scopeOf(query: {
  owner?: string[];
  system?: string[];
  lifecycle?: string[];
}): PostureScope {
  return {
    owner: query.owner?.map(o => normalizeRef(o, 'group')),
    system: query.system?.map(s => normalizeRef(s, 'system')),
    lifecycle: query.lifecycle,
  };
}

export function createPostureRouter(
  options: PostureRouterOptions,
): express.Router {
  const { httpAuth, permissions, catalog, posture, queries } = options;
  const router = Router();

  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  /** For routes that need one permission and nothing about an entity: 401 or 403 unless the caller holds it. */
  async function requireCallerPermission(
    req: express.Request,
    permission: BasicPermission,
  ): Promise<BackstageCredentials> {
    const credentials = await credentialsOf(req);
    await requirePermission(permissions, credentials, permission);
    return credentials;
  }

  /** Of these entities, those the catalog shows the caller and whose postures they may read. */
  async function readableRefs(
    credentials: BackstageCredentials,
    refs: string[],
  ): Promise<Set<string>> {
    const [visible, allowed] = await Promise.all([
      catalog.visible(refs, credentials),
      filterByEntityPermission(
        permissions,
        credentials,
        guardrailsPostureReadPermission,
        refs,
      ),
    ]);
    return new Set(refs.filter(r => visible.has(r) && allowed.has(r)));
  }

  /** The entity the caller may see, or 404; then the permission on it, or 403. */
  async function visibleEntity(
    req: express.Request,
    credentials: BackstageCredentials,
  ) {
    const { kind, namespace, name } = parseInput(
      API_ROUTES.getPosture.params,
      req.params,
      'path',
    );
    const entityRef = stringifyEntityRef({ kind, namespace, name });
    const entity = await catalog.get(entityRef, credentials);
    if (!entity) {
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    }
    return { entity, entityRef: stringifyEntityRef(entity) };
  }

  /** The entity's posture, or a 404 saying why there is none (with Retry-After when it is on its way). */
  async function sendPosture(
    req: express.Request,
    res: express.Response,
    entity: Entity,
  ) {
    // A stored posture goes out as stored: gzip-compressed to the clients
    // that accept it (browsers do), with its stored ETag (a matching
    // If-None-Match is answered 304 by Express). Only an entity without one
    // takes the lookup that may evaluate it now.
    const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    const stored = await queries.getPostureAnswer(stringifyEntityRef(entity), {
      gzip,
    });
    if (stored !== undefined) {
      res.vary('Accept-Encoding');
      res.set('Content-Type', 'application/json; charset=utf-8');
      if (stored.etag) res.set('ETag', stored.etag);
      if (stored.encoding === 'gzip') res.set('Content-Encoding', 'gzip');
      res.send(stored.body);
      return;
    }
    const answer = await lookupPosture({ catalog, posture, queries }, entity);
    if ('missing' in answer) {
      if (answer.retryAfterSeconds !== undefined)
        res.setHeader('Retry-After', String(answer.retryAfterSeconds));
      throw new NotFoundError(answer.missing);
    }
    res.json(answer.posture);
  }

  router.get(expressPath(API_ROUTES.getPosture), async (req, res) => {
    const credentials = await credentialsOf(req);
    const { entity, entityRef } = await visibleEntity(req, credentials);
    await requireEntityPermission(
      permissions,
      credentials,
      guardrailsPostureReadPermission,
      entityRef,
    );
    await sendPosture(req, res, entity);
  });

  router.get(expressPath(API_ROUTES.getPostureHistory), async (req, res) => {
    const credentials = await credentialsOf(req);
    const { entityRef } = await visibleEntity(req, credentials);
    await requireEntityPermission(
      permissions,
      credentials,
      guardrailsPostureReadPermission,
      entityRef,
    );
    const query = parseInput(
      API_ROUTES.getPostureHistory.query,
      req.query,
      'query',
    );
    res.json(
      await queries.history(
        entityRef,
        query.from ? new Date(query.from) : undefined,
        query.to ? new Date(query.to) : undefined,
      ),
    );
  });

  router.post(expressPath(API_ROUTES.refreshPosture), async (req, res) => {
    const credentials = await credentialsOf(req);
    const { entity, entityRef } = await visibleEntity(req, credentials);
    await requireEntityPermission(
      permissions,
      credentials,
      guardrailsPostureRefreshPermission,
      entityRef,
    );
    const notEvaluable = catalog.whyNoPosture(entity);
    if (notEvaluable) throw new InputError(notEvaluable);
    try {
      const result = await posture.refreshEntity(toEntityInfo(entity), {
        caller: principalRef(credentials),
      });
      if (!result) {
        // Nothing could be stored: say why (a cluster never read).
        await sendPosture(req, res, entity);
        return;
      }
      res.json(result);
    } catch (e) {
      if (e instanceof RateLimitedError) {
        res.setHeader('Retry-After', String(e.retryAfterSeconds));
        res.status(429).json({
          error: { name: e.name, message: e.message },
          request: { method: req.method, url: req.originalUrl },
          response: { statusCode: 429 },
        });
        return;
      }
      throw e;
    }
  });

  router.get(expressPath(API_ROUTES.listPostures), async (req, res) => {
    const credentials = await credentialsOf(req);
    const query = parseInput(API_ROUTES.listPostures.query, req.query, 'query');
    const page = await queries.list(
      {
        ...scopeOf(query),
        grade: query.grade,
        domain: query.domain,
        failingCheck: query.failingCheck,
      },
      { cursor: query.cursor, limit: query.limit },
    );
    const readable = await readableRefs(
      credentials,
      page.items.map(i => i.entityRef),
    );
    res.json({
      ...page,
      items: page.items.filter(i => readable.has(i.entityRef)),
    });
  });

  router.get(expressPath(API_ROUTES.getSummary), async (req, res) => {
    await requireCallerPermission(req, guardrailsSummaryReadPermission);
    const query = parseInput(API_ROUTES.getSummary.query, req.query, 'query');
    res.json(await queries.summary(query.groupBy, scopeOf(query)));
  });

  router.get(expressPath(API_ROUTES.getStatus), async (req, res) => {
    const credentials = await requireCallerPermission(
      req,
      guardrailsSummaryReadPermission,
    );
    parseInput(API_ROUTES.getStatus.query, req.query, 'query');
    res.json(await posture.status(refs => readableRefs(credentials, refs)));
  });

  router.get(expressPath(API_ROUTES.getTrend), async (req, res) => {
    await requireCallerPermission(req, guardrailsSummaryReadPermission);
    const query = parseInput(API_ROUTES.getTrend.query, req.query, 'query');
    res.json(await queries.trend(query.days, scopeOf(query)));
  });

  router.get(expressPath(API_ROUTES.getUnowned), async (req, res) => {
    await requireCallerPermission(req, guardrailsSummaryReadPermission);
    res.json(await queries.unowned());
  });

  router.get(expressPath(API_ROUTES.getStandingAccess), async (req, res) => {
    const credentials = await requireCallerPermission(
      req,
      guardrailsSummaryReadPermission,
    );
    parseInput(API_ROUTES.getStandingAccess.query, req.query, 'query');
    res.json(
      await queries.standingAccess(refs => readableRefs(credentials, refs)),
    );
  });

  const describe = (): CheckDescription[] =>
    queries.checks.map(c => ({
      id: c.meta.id,
      title: c.meta.title,
      domain: c.meta.domain,
      severity: c.meta.severity,
      rationale: c.meta.rationale,
      remediation: c.meta.remediation,
      references: c.meta.references,
      ...(c.meta.severityRule ? { severityRule: c.meta.severityRule } : {}),
      ...(c.meta.fix ? { fix: c.meta.fix } : {}),
    }));

  router.get(expressPath(API_ROUTES.listChecks), async (req, res) => {
    await requireCallerPermission(req, guardrailsChecksReadPermission);
    res.json({ items: describe() });
  });

  router.get(expressPath(API_ROUTES.getCheck), async (req, res) => {
    await requireCallerPermission(req, guardrailsChecksReadPermission);
    const { id } = parseInput(API_ROUTES.getCheck.params, req.params, 'path');
    const check = describe().find(c => c.id === id);
    if (!check) throw new NotFoundError(`No check ${id}`);
    res.json(check);
  });

  return router;
}
