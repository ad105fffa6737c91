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
  CHECK_ID_PATTERN,
  CheckDescription,
  DOMAINS,
  guardrailsChecksReadPermission,
  guardrailsPostureReadPermission,
  guardrailsPostureRefreshPermission,
  guardrailsSummaryReadPermission,
} from '@internal/backstage-plugin-security-guardrails-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
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
  requireEntityPermission,
  requirePermission,
} from './permissions';
import {
  entityKind,
  entityNamePart,
  isoDateTime,
  listParam,
  parseInput,
} from './validation';

export interface PostureRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogEntities;
  /** Evaluation: refresh, status, on-demand postures. */
  posture: PostureService;
  /** Reads of stored postures. */
  queries: PostureQueries;
}

const entityParams = z.object({
  kind: entityKind,
  namespace: entityNamePart,
  name: entityNamePart,
});

const gradeSchema = z.enum(['A', 'B', 'C', 'D', 'F']);

const listQuery = z
  .object({
    owner: listParam(z.string().max(255)).optional(),
    system: listParam(z.string().max(255)).optional(),
    grade: listParam(gradeSchema).optional(),
    domain: z.enum(DOMAINS).optional(),
    failingCheck: z
      .string()
      .max(128)
      .regex(CHECK_ID_PATTERN, 'must be a check id such as sc.privileged')
      .optional(),
    cursor: z
      .string()
      .max(400)
      .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by a previous page')
      .optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

const historyQuery = z
  .object({ from: isoDateTime.optional(), to: isoDateTime.optional() })
  .strict();

const summaryQuery = z
  .object({
    groupBy: z
      .enum(['owner', 'system', 'domain', 'namespace'])
      .default('owner'),
  })
  .strict();

const trendQuery = z
  .object({ days: z.coerce.number().int().min(1).max(365).default(30) })
  .strict();

const DAY_MS = 24 * 3600 * 1000;

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
  ) {
    await requirePermission(permissions, await credentialsOf(req), permission);
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
      entityParams,
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
  async function sendPosture(res: express.Response, entity: Entity) {
    const answer = await lookupPosture({ catalog, posture, queries }, entity);
    if ('missing' in answer) {
      if (answer.retryAfterSeconds !== undefined)
        res.setHeader('Retry-After', String(answer.retryAfterSeconds));
      throw new NotFoundError(answer.missing);
    }
    res.json(answer.posture);
  }

  router.get('/posture/:kind/:namespace/:name', async (req, res) => {
    const credentials = await credentialsOf(req);
    const { entity, entityRef } = await visibleEntity(req, credentials);
    await requireEntityPermission(
      permissions,
      credentials,
      guardrailsPostureReadPermission,
      entityRef,
    );
    await sendPosture(res, entity);
  });

  router.get('/posture/:kind/:namespace/:name/history', async (req, res) => {
    const credentials = await credentialsOf(req);
    const { entityRef } = await visibleEntity(req, credentials);
    await requireEntityPermission(
      permissions,
      credentials,
      guardrailsPostureReadPermission,
      entityRef,
    );
    const query = parseInput(historyQuery, req.query, 'query');
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from
      ? new Date(query.from)
      : new Date(to.getTime() - 30 * DAY_MS);
    if (from.getTime() >= to.getTime()) {
      throw new InputError('Invalid query: query.from must be before query.to');
    }
    if (to.getTime() - from.getTime() > 400 * DAY_MS) {
      throw new InputError(
        'Invalid query: query.from and query.to may be at most 400 days apart',
      );
    }
    res.json(await queries.history(entityRef, from, to));
  });

  router.post('/posture/:kind/:namespace/:name/refresh', async (req, res) => {
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
      const result = await posture.refreshEntity(toEntityInfo(entity));
      if (!result) {
        // Nothing could be stored: say why (a cluster never read).
        await sendPosture(res, entity);
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

  router.get('/posture', async (req, res) => {
    const credentials = await credentialsOf(req);
    const query = parseInput(listQuery, req.query, 'query');
    const page = await queries.list(
      {
        owner: query.owner?.map(o => normalizeRef(o, 'group')),
        system: query.system?.map(s => normalizeRef(s, 'system')),
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

  router.get('/summary', async (req, res) => {
    await requireCallerPermission(req, guardrailsSummaryReadPermission);
    const query = parseInput(summaryQuery, req.query, 'query');
    res.json(await queries.summary(query.groupBy));
  });

  router.get('/status', async (req, res) => {
    const credentials = await credentialsOf(req);
    await requirePermission(
      permissions,
      credentials,
      guardrailsSummaryReadPermission,
    );
    parseInput(z.object({}).strict(), req.query, 'query');
    res.json(await posture.status(refs => readableRefs(credentials, refs)));
  });

  router.get('/summary/trend', async (req, res) => {
    await requireCallerPermission(req, guardrailsSummaryReadPermission);
    const query = parseInput(trendQuery, req.query, 'query');
    res.json(await queries.trend(query.days));
  });

  router.get('/unowned', async (req, res) => {
    await requireCallerPermission(req, guardrailsSummaryReadPermission);
    res.json(await queries.unowned());
  });

  router.get('/summary/standing-access', async (req, res) => {
    const credentials = await credentialsOf(req);
    await requirePermission(
      permissions,
      credentials,
      guardrailsSummaryReadPermission,
    );
    parseInput(z.object({}).strict(), req.query, 'query');
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
    }));

  router.get('/checks', async (req, res) => {
    await requireCallerPermission(req, guardrailsChecksReadPermission);
    res.json({ items: describe() });
  });

  router.get('/checks/:id', async (req, res) => {
    await requireCallerPermission(req, guardrailsChecksReadPermission);
    const { id } = parseInput(
      z.object({
        id: z
          .string()
          .max(128)
          .regex(CHECK_ID_PATTERN, 'must be a check id such as sc.privileged'),
      }),
      req.params,
      'path',
    );
    const check = describe().find(c => c.id === id);
    if (!check) throw new NotFoundError(`No check ${id}`);
    res.json(check);
  });

  return router;
}
