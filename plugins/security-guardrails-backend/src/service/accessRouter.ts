/*
 * HTTP <-> access service. Every route: a user's credentials, a permission,
 * validated input; the requester and the approver always come from the
 * caller's identity, never from the body (unknown body fields are refused).
 */
import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  CHECK_ID_PATTERN,
  guardrailsAccessAdminPermission,
  guardrailsAccessReadPermission,
  guardrailsAccessRequestApprovePermission,
  guardrailsAccessRequestCreatePermission,
  guardrailsAuditReadPermission,
  MIN_JUSTIFICATION_LENGTH,
  REQUEST_STATES,
  RequestKind,
} from '@internal/backstage-plugin-security-guardrails-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import { AccessQueries, AccessRequestService, Actor } from '../access';
import { CatalogEntities } from '../catalog/CatalogEntities';
import { requireEntityPermission, requirePermission } from './permissions';
import {
  entityKind,
  entityNamePart,
  isoDateTime,
  listParam,
  parseInput,
} from './validation';

export interface AccessRouterOptions {
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  catalog: CatalogEntities;
  /** The request lifecycle. */
  access: AccessRequestService;
  /** Reads: requests one may see, grants, audit, targets. */
  queries: AccessQueries;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const entityRefSchema = z
  .string()
  .max(255)
  .regex(
    /^[a-zA-Z][a-zA-Z0-9]*:[A-Za-z0-9._-]{1,63}\/[A-Za-z0-9._-]{1,63}$/,
    'must be a full entity reference such as component:default/checkout',
  );
const justification = z
  .string()
  .trim()
  .min(
    MIN_JUSTIFICATION_LENGTH,
    `must say why, in at least ${MIN_JUSTIFICATION_LENGTH} characters`,
  )
  .max(2000);
const ticket = z
  .string()
  .max(200)
  .regex(/^[\w.#:/?=&%@+-]+$/, 'must be a ticket id or URL without spaces')
  .optional();
const idParams = z.object({
  id: z.string().uuid('must be a request id (a UUID)'),
});

const accessBody = z
  .object({
    entityRef: entityRefSchema,
    role: z
      .string()
      .max(64)
      .regex(/^[a-z][a-z0-9-]*$/, 'must be a role name such as edit'),
    cluster: z
      .string()
      .max(64)
      .regex(/^[a-z0-9]([a-z0-9._-]{0,62})?$/, 'must be a cluster name'),
    namespaces: z
      .array(
        z
          .string()
          .max(63)
          .regex(DNS_LABEL, 'must be a Kubernetes namespace name'),
      )
      .min(1)
      .max(20),
    durationSeconds: z
      .number()
      .int()
      .positive()
      .max(31 * 24 * 3600)
      .optional(),
    justification,
    ticket,
  })
  .strict();

const exemptionBody = z
  .object({
    entityRef: entityRefSchema,
    checkId: z
      .string()
      .max(128)
      .regex(CHECK_ID_PATTERN, 'must be a check id such as sc.readonly-rootfs'),
    durationSeconds: z
      .number()
      .int()
      .positive()
      .max(366 * 24 * 3600),
    justification,
    ticket,
    scope: z
      .object({
        cluster: z.string().max(64).optional(),
        namespace: z
          .string()
          .max(63)
          .regex(DNS_LABEL, 'must be a Kubernetes namespace name')
          .optional(),
        kind: z
          .string()
          .max(63)
          .regex(/^[A-Z][A-Za-z0-9]*$/, 'must be a Kubernetes kind')
          .optional(),
        name: z
          .string()
          .max(253)
          .regex(
            /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
            'must be a Kubernetes name',
          )
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const decisionBody = z
  .object({ comment: z.string().trim().max(1000).optional() })
  .strict();
const denyBody = z
  .object({
    comment: z
      .string()
      .trim()
      .min(3, 'say why the request is denied')
      .max(1000),
  })
  .strict();
const reasonBody = z
  .object({ reason: z.string().trim().max(1000).optional() })
  .strict();
const extendBody = z
  .object({
    durationSeconds: z
      .number()
      .int()
      .positive()
      .max(31 * 24 * 3600),
    justification,
  })
  .strict();

const listQuery = z
  .object({
    view: z.enum(['mine', 'to-approve', 'all']).default('mine'),
    state: listParam(z.enum(REQUEST_STATES)).optional(),
    entityRef: entityRefSchema.optional(),
    cursor: z
      .string()
      .max(100)
      .regex(
        /^[\dT:.Z-]+\|[0-9a-f-]{36}$/,
        'must be a cursor returned by a previous page',
      )
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

const auditQuery = z
  .object({
    actor: z.string().max(255).optional(),
    entityRef: entityRefSchema.optional(),
    requestId: z.string().uuid().optional(),
    from: isoDateTime.optional(),
    to: isoDateTime.optional(),
    cursor: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export function createAccessRouter(
  options: AccessRouterOptions,
): express.Router {
  const { httpAuth, userInfo, permissions, catalog, access, queries } = options;
  const router = Router();

  /** Who is calling; with a permission, a 403 unless they hold it (before anything is looked up). */
  async function caller(
    req: express.Request,
    permission?: BasicPermission,
  ): Promise<{ credentials: BackstageCredentials; actor: Actor }> {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    if (permission)
      await requirePermission(permissions, credentials, permission);
    const info = await userInfo.getUserInfo(credentials);
    return {
      credentials,
      actor: {
        userRef: info.userEntityRef,
        ownershipRefs: [
          ...new Set([info.userEntityRef, ...info.ownershipEntityRefs]),
        ],
      },
    };
  }

  async function allowed(
    credentials: BackstageCredentials,
    permission: typeof guardrailsAccessAdminPermission,
  ) {
    const [d] = await permissions.authorize([{ permission }], { credentials });
    return d.result === AuthorizeResult.ALLOW;
  }

  async function visibleEntity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<string> {
    const entity = await catalog.get(entityRef, credentials);
    if (!entity)
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    return stringifyEntityRef(entity);
  }

  /** The request if it is of this kind and the caller may see it; 404 otherwise. */
  async function requestOf(
    kind: RequestKind | RequestKind[],
    req: express.Request,
    actor: Actor,
    credentials: BackstageCredentials,
  ) {
    const { id } = parseInput(idParams, req.params, 'path');
    const isAdmin = await allowed(credentials, guardrailsAccessAdminPermission);
    const request = await queries.get(id, actor, isAdmin);
    const kinds = Array.isArray(kind) ? kind : [kind];
    if (!kinds.includes(request.kind))
      throw new NotFoundError(`No request ${id}`);
    return { request, isAdmin };
  }

  router.get('/access/policy', async (req, res) => {
    await caller(req, guardrailsAccessReadPermission);
    res.json(access.policy.info());
  });

  router.get('/access/targets/:kind/:namespace/:name', async (req, res) => {
    const { credentials } = await caller(req, guardrailsAccessReadPermission);
    const { kind, namespace, name } = parseInput(
      z.object({
        kind: entityKind,
        namespace: entityNamePart,
        name: entityNamePart,
      }),
      req.params,
      'path',
    );
    const entityRef = await visibleEntity(
      stringifyEntityRef({ kind, namespace, name }),
      credentials,
    );
    res.json(await queries.targets(entityRef));
  });

  // Both kinds share the list/get/decide routes; the path says which kind.
  for (const [path, kinds] of [
    ['access-requests', ['access', 'extension']],
    ['exemption-requests', ['exemption']],
  ] as Array<[string, RequestKind[]]>) {
    router.get(`/${path}`, async (req, res) => {
      const { credentials, actor } = await caller(
        req,
        guardrailsAccessReadPermission,
      );
      const q = parseInput(listQuery, req.query, 'query');
      const isAdmin =
        q.view === 'all' &&
        (await allowed(credentials, guardrailsAccessAdminPermission));
      res.json(
        await queries.list(
          {
            view: q.view,
            states: q.state,
            kinds,
            entityRef: q.entityRef,
            cursor: q.cursor,
            limit: q.limit,
          },
          actor,
          isAdmin,
        ),
      );
    });

    router.get(`/${path}/:id`, async (req, res) => {
      const { credentials, actor } = await caller(
        req,
        guardrailsAccessReadPermission,
      );
      const { request } = await requestOf(kinds, req, actor, credentials);
      res.json(request);
    });

    // What can be done to one request once it exists: the permission needed
    // to try (the service decides the rest: self-approval, scope, state) and
    // the body it takes, validated (a 400) before anything is looked up.
    const action = <S extends z.ZodTypeAny>(
      name: string,
      permission: BasicPermission,
      schema: S,
      run: (
        id: string,
        actor: Actor,
        isAdmin: boolean,
        body: z.infer<S>,
      ) => Promise<unknown>,
    ) =>
      router.post(`/${path}/:id/${name}`, async (req, res) => {
        const { credentials, actor } = await caller(req, permission);
        const body = parseInput(schema, req.body ?? {}, 'body');
        const { request, isAdmin } = await requestOf(
          kinds,
          req,
          actor,
          credentials,
        );
        res.json(await run(request.id, actor, isAdmin, body));
      });

    action(
      'approve',
      guardrailsAccessRequestApprovePermission,
      decisionBody,
      (id, actor, _isAdmin, body) =>
        access.decide(id, actor, 'approve', body.comment),
    );
    action(
      'deny',
      guardrailsAccessRequestApprovePermission,
      denyBody,
      (id, actor, _isAdmin, body) =>
        access.decide(id, actor, 'deny', body.comment),
    );
    action(
      'cancel',
      guardrailsAccessReadPermission,
      reasonBody,
      (id, actor, _isAdmin, body) => access.cancel(id, actor, body.reason),
    );
    action(
      'revoke',
      guardrailsAccessReadPermission,
      reasonBody,
      (id, actor, isAdmin, body) =>
        access.revoke(id, actor, isAdmin, body.reason),
    );
  }

  router.post('/access-requests', async (req, res) => {
    const { credentials, actor } = await caller(req);
    const body = parseInput(accessBody, req.body, 'body');
    const entityRef = await visibleEntity(body.entityRef, credentials);
    await requireEntityPermission(
      permissions,
      credentials,
      guardrailsAccessRequestCreatePermission,
      entityRef,
    );
    res.status(201).json(await access.create({ ...body, entityRef }, actor));
  });

  router.post('/access-requests/:id/extend', async (req, res) => {
    const { credentials, actor } = await caller(
      req,
      guardrailsAccessReadPermission,
    );
    const body = parseInput(extendBody, req.body, 'body');
    const { request } = await requestOf('access', req, actor, credentials);
    await requireEntityPermission(
      permissions,
      credentials,
      guardrailsAccessRequestCreatePermission,
      request.entityRef,
    );
    res.status(201).json(await access.extend(request.id, actor, body));
  });

  router.post('/exemption-requests', async (req, res) => {
    const { credentials, actor } = await caller(req);
    const body = parseInput(exemptionBody, req.body, 'body');
    const entityRef = await visibleEntity(body.entityRef, credentials);
    await requireEntityPermission(
      permissions,
      credentials,
      guardrailsAccessRequestCreatePermission,
      entityRef,
    );
    res
      .status(201)
      .json(await access.createExemption({ ...body, entityRef }, actor));
  });

  router.get('/grants', async (req, res) => {
    const { credentials, actor } = await caller(
      req,
      guardrailsAccessReadPermission,
    );
    const isAdmin = await allowed(credentials, guardrailsAccessAdminPermission);
    res.json({ items: await queries.grants(actor, isAdmin) });
  });

  router.get('/audit', async (req, res) => {
    const { credentials, actor } = await caller(
      req,
      guardrailsAccessReadPermission,
    );
    const q = parseInput(auditQuery, req.query, 'query');
    // Without audit.read, only the history of one's own requests and decisions.
    const everything = await allowed(
      credentials,
      guardrailsAuditReadPermission,
    );
    const items = await queries.audit(
      {
        actor: q.actor,
        entityRef: q.entityRef,
        requestId: q.requestId,
        from: q.from ? new Date(q.from).toISOString() : undefined,
        to: q.to ? new Date(q.to).toISOString() : undefined,
        involving: everything ? undefined : actor.userRef,
      },
      { limit: q.limit + 1, before: q.cursor },
    );
    const page = items.slice(0, q.limit);
    res.json({
      items: page,
      ...(items.length > q.limit
        ? { nextCursor: String(page[page.length - 1].id) }
        : {}),
    });
  });

  return router;
}
