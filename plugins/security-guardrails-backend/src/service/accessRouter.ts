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
  API_ROUTES,
  ApiRoute,
  guardrailsAccessAdminPermission,
  guardrailsAccessReadPermission,
  guardrailsAccessRequestApprovePermission,
  guardrailsAccessRequestCreatePermission,
  guardrailsAuditReadPermission,
  RequestKind,
} from '@internal/backstage-plugin-security-guardrails-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import {
  AccessQueries,
  AccessRequestService,
  Actor,
  actorFilter,
} from '../access';
import { CatalogEntities } from '../catalog/CatalogEntities';
import { requireEntityPermission, requirePermission } from './permissions';
import { expressPath, parseInput } from './validation';

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
    const { id } = parseInput(
      API_ROUTES.getAccessRequest.params,
      req.params,
      'path',
    );
    const isAdmin = await allowed(credentials, guardrailsAccessAdminPermission);
    const request = await queries.get(id, actor, isAdmin);
    const kinds = Array.isArray(kind) ? kind : [kind];
    if (!kinds.includes(request.kind))
      throw new NotFoundError(`No request ${id}`);
    return { request, isAdmin };
  }

  router.get(expressPath(API_ROUTES.getAccessPolicy), async (req, res) => {
    await caller(req, guardrailsAccessReadPermission);
    res.json(access.policy.info());
  });

  router.get(expressPath(API_ROUTES.getAccessTargets), async (req, res) => {
    const { credentials } = await caller(req, guardrailsAccessReadPermission);
    const { kind, namespace, name } = parseInput(
      API_ROUTES.getAccessTargets.params,
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
  const byKind: Array<{
    kinds: RequestKind[];
    routes: Record<
      'list' | 'get' | 'approve' | 'deny' | 'cancel' | 'revoke',
      ApiRoute
    >;
  }> = [
    {
      kinds: ['access', 'extension'],
      routes: {
        list: API_ROUTES.listAccessRequests,
        get: API_ROUTES.getAccessRequest,
        approve: API_ROUTES.approveAccessRequest,
        deny: API_ROUTES.denyAccessRequest,
        cancel: API_ROUTES.cancelAccessRequest,
        revoke: API_ROUTES.revokeAccessRequest,
      },
    },
    {
      kinds: ['exemption'],
      routes: {
        list: API_ROUTES.listExemptionRequests,
        get: API_ROUTES.getExemptionRequest,
        approve: API_ROUTES.approveExemptionRequest,
        deny: API_ROUTES.denyExemptionRequest,
        cancel: API_ROUTES.cancelExemptionRequest,
        revoke: API_ROUTES.revokeExemptionRequest,
      },
    },
  ];
  for (const { kinds, routes } of byKind) {
    router.get(expressPath(routes.list), async (req, res) => {
      const { credentials, actor } = await caller(
        req,
        guardrailsAccessReadPermission,
      );
      const q = parseInput(
        API_ROUTES.listAccessRequests.query,
        req.query,
        'query',
      );
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

    router.get(expressPath(routes.get), async (req, res) => {
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
      route: ApiRoute,
      permission: BasicPermission,
      schema: S,
      run: (
        id: string,
        actor: Actor,
        isAdmin: boolean,
        body: z.infer<S>,
      ) => Promise<unknown>,
    ) =>
      router.post(expressPath(route), async (req, res) => {
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
      routes.approve,
      guardrailsAccessRequestApprovePermission,
      API_ROUTES.approveAccessRequest.body,
      (id, actor, _isAdmin, body) =>
        access.decide(id, actor, 'approve', body.comment),
    );
    action(
      routes.deny,
      guardrailsAccessRequestApprovePermission,
      API_ROUTES.denyAccessRequest.body,
      (id, actor, _isAdmin, body) =>
        access.decide(id, actor, 'deny', body.comment),
    );
    action(
      routes.cancel,
      guardrailsAccessReadPermission,
      API_ROUTES.cancelAccessRequest.body,
      (id, actor, _isAdmin, body) => access.cancel(id, actor, body.reason),
    );
    action(
      routes.revoke,
      guardrailsAccessReadPermission,
      API_ROUTES.revokeAccessRequest.body,
      (id, actor, isAdmin, body) =>
        access.revoke(id, actor, isAdmin, body.reason),
    );
  }

  /**
   * A new request's body, validated, with the entity it names as the caller
   * may see it (404 otherwise) and the create permission on it (403).
   */
  async function newRequest<S extends z.ZodTypeAny>(
    req: express.Request,
    schema: S,
  ) {
    const { credentials, actor } = await caller(req);
    const body: z.infer<S> = parseInput(schema, req.body, 'body');
    const entityRef = await visibleEntity(body.entityRef, credentials);
    await requireEntityPermission(
      permissions,
      credentials,
      guardrailsAccessRequestCreatePermission,
      entityRef,
    );
    return { actor, body, entityRef };
  }

  router.post(expressPath(API_ROUTES.createAccessRequest), async (req, res) => {
    const { actor, body, entityRef } = await newRequest(
      req,
      API_ROUTES.createAccessRequest.body,
    );
    res.status(201).json(await access.create({ ...body, entityRef }, actor));
  });

  router.post(expressPath(API_ROUTES.extendAccessRequest), async (req, res) => {
    const { credentials, actor } = await caller(
      req,
      guardrailsAccessReadPermission,
    );
    const body = parseInput(
      API_ROUTES.extendAccessRequest.body,
      req.body,
      'body',
    );
    const { request } = await requestOf('access', req, actor, credentials);
    await requireEntityPermission(
      permissions,
      credentials,
      guardrailsAccessRequestCreatePermission,
      request.entityRef,
    );
    res.status(201).json(await access.extend(request.id, actor, body));
  });

  router.post(
    expressPath(API_ROUTES.createExemptionRequest),
    async (req, res) => {
      const { actor, body, entityRef } = await newRequest(
        req,
        API_ROUTES.createExemptionRequest.body,
      );
      res
        .status(201)
        .json(await access.createExemption({ ...body, entityRef }, actor));
    },
  );

  router.get(expressPath(API_ROUTES.listGrants), async (req, res) => {
    const { credentials, actor } = await caller(
      req,
      guardrailsAccessReadPermission,
    );
    const isAdmin = await allowed(credentials, guardrailsAccessAdminPermission);
    res.json({ items: await queries.grants(actor, isAdmin) });
  });

  router.get(expressPath(API_ROUTES.getAudit), async (req, res) => {
    const { credentials, actor } = await caller(
      req,
      guardrailsAccessReadPermission,
    );
    const q = parseInput(API_ROUTES.getAudit.query, req.query, 'query');
    // Without audit.read, only the history of one's own requests and decisions.
    const everything = await allowed(
      credentials,
      guardrailsAuditReadPermission,
    );
    const items = await queries.audit(
      {
        actor: q.actor?.trim() ? actorFilter(q.actor) : undefined,
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
