/*
 * The HTTP API's contract, written once: every route with its path
 * parameters, query and body (schemas.ts), the permission it needs and what
 * it answers. The backend validates requests with these schemas, mounts its
 * routes from this table and publishes its OpenAPI document from it
 * (`src/schema/openapi.yaml` in the backend, served at `/openapi.json`).
 *
 * Long because it is a table: one entry per route, read top to bottom.
 */
import { z } from 'zod/v3';
import { Permission } from '@backstage/plugin-permission-common';
import {
  guardrailsAccessReadPermission,
  guardrailsAccessRequestApprovePermission,
  guardrailsAccessRequestCreatePermission,
  guardrailsCampaignManagePermission,
  guardrailsChecksReadPermission,
  guardrailsPostureReadPermission,
  guardrailsPostureRefreshPermission,
  guardrailsSummaryReadPermission,
} from '../permissions';
import {
  accessRequestBody,
  approveBody,
  auditQuery,
  campaignBody,
  campaignIdParams,
  campaignUpdateBody,
  checkParams,
  denyBody,
  entityParams,
  exemptionRequestBody,
  extendBody,
  historyQuery,
  noQuery,
  postureListQuery,
  reasonBody,
  requestIdParams,
  requestListQuery,
  summaryQuery,
  trendQuery,
} from './schemas';
import type { ApiAnswerName, ApiAnswers } from './answers';

// --- Routes ------------------------------------------------------------------

/** The permission a route checks: on the caller, or on the entity it names. */
export interface RoutePermission {
  name: string;
  on: 'caller' | 'entity';
}

export interface ApiRoute {
  method: 'get' | 'post' | 'put';
  /** OpenAPI style: `{kind}` for a path parameter. */
  path: string;
  summary: string;
  tag: 'posture' | 'checks' | 'access' | 'campaigns' | 'meta';
  params?: z.AnyZodObject;
  query?: z.ZodTypeAny;
  body?: z.ZodTypeAny;
  /** Permissions checked, in order; none for the unauthenticated health check. */
  permissions: RoutePermission[];
  /** Success status and the common type it answers with (a name in ApiAnswers). */
  response: { status: 200 | 201; type: ApiAnswerName; description: string };
  /** Error statuses this route can answer besides 400 and 401. */
  errors: Array<403 | 404 | 409 | 429 | 503>;
}

const caller = (p: Permission): RoutePermission => ({
  name: p.name,
  on: 'caller',
});
const onEntity = (p: Permission): RoutePermission => ({
  name: p.name,
  on: 'entity',
});

/** The routes both kinds of request share; the path says which kind. */
function requestRoutes(
  base: 'access-requests' | 'exemption-requests',
  what: string,
) {
  const action = <B extends z.ZodTypeAny>(
    name: string,
    summary: string,
    body: B,
    permission: Permission,
  ) =>
    ({
      method: 'post',
      path: `/${base}/{id}/${name}`,
      summary,
      tag: 'access',
      params: requestIdParams,
      body,
      permissions: [caller(permission)],
      response: {
        status: 200,
        type: 'AccessRequest',
        description: `The ${what}, after the move`,
      },
      errors: [403, 404, 409, 503],
    } satisfies ApiRoute);
  return {
    list: {
      method: 'get',
      path: `/${base}`,
      summary: `Pages of ${what}s: one's own, those one may decide, or (access admins) all`,
      tag: 'access',
      query: requestListQuery,
      permissions: [caller(guardrailsAccessReadPermission)],
      response: {
        status: 200,
        type: 'AccessRequestList',
        description: 'A page of requests, newest first',
      },
      errors: [403],
    },
    get: {
      method: 'get',
      path: `/${base}/{id}`,
      summary: `One ${what} the caller may see (404 for any other)`,
      tag: 'access',
      params: requestIdParams,
      permissions: [caller(guardrailsAccessReadPermission)],
      response: {
        status: 200,
        type: 'AccessRequest',
        description: `The ${what}`,
      },
      errors: [403, 404],
    },
    approve: action(
      'approve',
      `Approve a pending ${what}`,
      approveBody,
      guardrailsAccessRequestApprovePermission,
    ),
    deny: action(
      'deny',
      `Deny a pending ${what}, saying why`,
      denyBody,
      guardrailsAccessRequestApprovePermission,
    ),
    cancel: action(
      'cancel',
      `Cancel one's own pending ${what}`,
      reasonBody,
      guardrailsAccessReadPermission,
    ),
    revoke: action(
      'revoke',
      `End an active ${what} early`,
      reasonBody,
      guardrailsAccessReadPermission,
    ),
  } satisfies Record<string, ApiRoute>;
}

const accessRequests = requestRoutes('access-requests', 'access request');
const exemptionRequests = requestRoutes(
  'exemption-requests',
  'exemption request',
);

export const API_ROUTES = {
  health: {
    method: 'get',
    path: '/health',
    summary: 'Liveness: answers while the plugin runs',
    tag: 'meta',
    permissions: [],
    response: {
      status: 200,
      type: 'HealthStatus',
      description: '{ status: "ok" }',
    },
    errors: [],
  },
  openApi: {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tag: 'meta',
    permissions: [caller(guardrailsChecksReadPermission)],
    response: {
      status: 200,
      type: 'OpenApiDocument',
      description: 'The OpenAPI 3.1 document of this API',
    },
    errors: [403],
  },
  getPosture: {
    method: 'get',
    path: '/posture/{kind}/{namespace}/{name}',
    summary: "An entity's latest posture; evaluated now when it has none yet",
    tag: 'posture',
    params: entityParams,
    permissions: [onEntity(guardrailsPostureReadPermission)],
    response: {
      status: 200,
      type: 'EntityPosture',
      description: 'The posture, its score and every result',
    },
    errors: [403, 404, 503],
  },
  getPostureHistory: {
    method: 'get',
    path: '/posture/{kind}/{namespace}/{name}/history',
    summary:
      'Score points and check changes in a window (default the last 30 days, at most 400)',
    tag: 'posture',
    params: entityParams,
    query: historyQuery,
    permissions: [onEntity(guardrailsPostureReadPermission)],
    response: {
      status: 200,
      type: 'PostureHistory',
      description: 'The history in the window',
    },
    errors: [403, 404],
  },
  refreshPosture: {
    method: 'post',
    path: '/posture/{kind}/{namespace}/{name}/refresh',
    summary:
      'Re-read the clusters and re-evaluate the entity now (rate-limited per entity)',
    tag: 'posture',
    params: entityParams,
    permissions: [onEntity(guardrailsPostureRefreshPermission)],
    response: {
      status: 200,
      type: 'EntityPosture',
      description: 'The new posture',
    },
    errors: [403, 404, 429, 503],
  },
  listPostures: {
    method: 'get',
    path: '/posture',
    summary: 'Pages of postures the caller may read, filtered',
    tag: 'posture',
    query: postureListQuery,
    permissions: [onEntity(guardrailsPostureReadPermission)],
    response: {
      status: 200,
      type: 'PostureListResponse',
      description: 'A page ordered by entity ref',
    },
    errors: [],
  },
  getSummary: {
    method: 'get',
    path: '/summary',
    summary: 'The org rollup: grades, domains, checks and movers, grouped',
    tag: 'posture',
    query: summaryQuery,
    permissions: [caller(guardrailsSummaryReadPermission)],
    response: {
      status: 200,
      type: 'PostureSummary',
      description: 'The rollup',
    },
    errors: [403],
  },
  getStatus: {
    method: 'get',
    path: '/status',
    summary:
      'Whether every mapped entity has a posture, and why those without one wait',
    tag: 'posture',
    query: noQuery,
    permissions: [caller(guardrailsSummaryReadPermission)],
    response: {
      status: 200,
      type: 'PostureStatus',
      description: 'Counts, waiting entities and clusters',
    },
    errors: [403],
  },
  getTrend: {
    method: 'get',
    path: '/summary/trend',
    summary: 'The org score per day',
    tag: 'posture',
    query: trendQuery,
    permissions: [caller(guardrailsSummaryReadPermission)],
    response: {
      status: 200,
      type: 'PostureTrend',
      description: 'One point per day',
    },
    errors: [403],
  },
  getUnowned: {
    method: 'get',
    path: '/unowned',
    summary: 'Findings on cluster objects no catalog entity owns',
    tag: 'posture',
    permissions: [caller(guardrailsSummaryReadPermission)],
    response: {
      status: 200,
      type: 'UnownedFindings',
      description: 'The findings and their total',
    },
    errors: [403],
  },
  getStandingAccess: {
    method: 'get',
    path: '/summary/standing-access',
    summary: 'Every binding flagged as standing privilege or past its expiry',
    tag: 'posture',
    query: noQuery,
    permissions: [
      caller(guardrailsSummaryReadPermission),
      onEntity(guardrailsPostureReadPermission),
    ],
    response: {
      status: 200,
      type: 'StandingAccessFindings',
      description: 'Readable services first, then unowned',
    },
    errors: [403],
  },
  listChecks: {
    method: 'get',
    path: '/checks',
    summary: 'The checks catalogue: every check that runs, built-in and custom',
    tag: 'checks',
    permissions: [caller(guardrailsChecksReadPermission)],
    response: {
      status: 200,
      type: 'CheckList',
      description: '{ items: CheckDescription[] }',
    },
    errors: [403],
  },
  getCheck: {
    method: 'get',
    path: '/checks/{id}',
    summary: 'One check: rationale, remediation, references, severity rule',
    tag: 'checks',
    params: checkParams,
    permissions: [caller(guardrailsChecksReadPermission)],
    response: {
      status: 200,
      type: 'CheckDescription',
      description: 'The check',
    },
    errors: [403, 404],
  },
  getAccessPolicy: {
    method: 'get',
    path: '/access/policy',
    summary: 'What can be requested: roles, durations, approvals, limits',
    tag: 'access',
    permissions: [caller(guardrailsAccessReadPermission)],
    response: {
      status: 200,
      type: 'AccessPolicyInfo',
      description: 'The policy',
    },
    errors: [403],
  },
  getAccessTargets: {
    method: 'get',
    path: '/access/targets/{kind}/{namespace}/{name}',
    summary:
      'Where access to an entity may be requested: clusters and namespaces',
    tag: 'access',
    params: entityParams,
    permissions: [caller(guardrailsAccessReadPermission)],
    response: {
      status: 200,
      type: 'AccessTargets',
      description: 'The targets',
    },
    errors: [403, 404],
  },
  listAccessRequests: accessRequests.list,
  getAccessRequest: accessRequests.get,
  approveAccessRequest: accessRequests.approve,
  denyAccessRequest: accessRequests.deny,
  cancelAccessRequest: accessRequests.cancel,
  revokeAccessRequest: accessRequests.revoke,
  listExemptionRequests: exemptionRequests.list,
  getExemptionRequest: exemptionRequests.get,
  approveExemptionRequest: exemptionRequests.approve,
  denyExemptionRequest: exemptionRequests.deny,
  cancelExemptionRequest: exemptionRequests.cancel,
  revokeExemptionRequest: exemptionRequests.revoke,
  createAccessRequest: {
    method: 'post',
    path: '/access-requests',
    summary: "Request time-limited access to an entity's namespaces",
    tag: 'access',
    body: accessRequestBody,
    permissions: [onEntity(guardrailsAccessRequestCreatePermission)],
    response: {
      status: 201,
      type: 'AccessRequest',
      description: 'The request (active at once when no approval is needed)',
    },
    errors: [403, 404, 409, 503],
  },
  extendAccessRequest: {
    method: 'post',
    path: '/access-requests/{id}/extend',
    summary: 'Ask for more time on an active grant',
    tag: 'access',
    params: requestIdParams,
    body: extendBody,
    permissions: [
      caller(guardrailsAccessReadPermission),
      onEntity(guardrailsAccessRequestCreatePermission),
    ],
    response: {
      status: 201,
      type: 'AccessRequest',
      description: 'The extension request',
    },
    errors: [403, 404, 409],
  },
  createExemptionRequest: {
    method: 'post',
    path: '/exemption-requests',
    summary: 'Request a time-limited exemption from a check',
    tag: 'access',
    body: exemptionRequestBody,
    permissions: [onEntity(guardrailsAccessRequestCreatePermission)],
    response: {
      status: 201,
      type: 'AccessRequest',
      description: 'The exemption request',
    },
    errors: [403, 404, 409],
  },
  listGrants: {
    method: 'get',
    path: '/grants',
    summary:
      "Grants that hold access: one's own, or (access admins) everyone's",
    tag: 'access',
    permissions: [caller(guardrailsAccessReadPermission)],
    response: {
      status: 200,
      type: 'GrantList',
      description: '{ items: AccessRequest[] }',
    },
    errors: [403],
  },
  getAudit: {
    method: 'get',
    path: '/audit',
    summary:
      "The audit trail: everything with audit.read, otherwise one's own requests and decisions",
    tag: 'access',
    query: auditQuery,
    permissions: [caller(guardrailsAccessReadPermission)],
    response: {
      status: 200,
      type: 'AuditList',
      description: 'A page of events, newest first',
    },
    errors: [403],
  },
  listCampaigns: {
    method: 'get',
    path: '/campaigns',
    summary: 'Every campaign, newest deadline first',
    tag: 'campaigns',
    query: noQuery,
    permissions: [caller(guardrailsSummaryReadPermission)],
    response: {
      status: 200,
      type: 'CampaignList',
      description: '{ items: Campaign[] }',
    },
    errors: [403],
  },
  createCampaign: {
    method: 'post',
    path: '/campaigns',
    summary: 'Create a campaign (a draft, or active at once)',
    tag: 'campaigns',
    body: campaignBody,
    permissions: [caller(guardrailsCampaignManagePermission)],
    response: { status: 201, type: 'Campaign', description: 'The campaign' },
    errors: [403],
  },
  getCampaign: {
    method: 'get',
    path: '/campaigns/{id}',
    summary: 'One campaign',
    tag: 'campaigns',
    params: campaignIdParams,
    query: noQuery,
    permissions: [caller(guardrailsSummaryReadPermission)],
    response: { status: 200, type: 'Campaign', description: 'The campaign' },
    errors: [403, 404],
  },
  updateCampaign: {
    method: 'put',
    path: '/campaigns/{id}',
    summary: 'Edit a campaign, start a draft or end an active one (audited)',
    tag: 'campaigns',
    params: campaignIdParams,
    body: campaignUpdateBody,
    permissions: [caller(guardrailsCampaignManagePermission)],
    response: { status: 200, type: 'Campaign', description: 'The campaign' },
    errors: [403, 404, 409],
  },
  getCampaignProgress: {
    method: 'get',
    path: '/campaigns/{id}/progress',
    summary:
      'Services in scope, done, by owner, and what each remaining one lacks',
    tag: 'campaigns',
    params: campaignIdParams,
    query: noQuery,
    permissions: [caller(guardrailsSummaryReadPermission)],
    response: {
      status: 200,
      type: 'CampaignProgress',
      description: 'The progress',
    },
    errors: [403, 404],
  },
  getCampaignBurndown: {
    method: 'get',
    path: '/campaigns/{id}/burndown',
    summary:
      'Services done per day, from two weeks before the start, and who regressed after meeting it',
    tag: 'campaigns',
    params: campaignIdParams,
    query: noQuery,
    permissions: [caller(guardrailsSummaryReadPermission)],
    response: {
      status: 200,
      type: 'CampaignBurndown',
      description: 'The burn-down',
    },
    errors: [403, 404],
  },
  getOwnerCampaigns: {
    method: 'get',
    path: '/campaigns/owner/{kind}/{namespace}/{name}',
    summary:
      "The active campaigns over an owner's services: its part of each, and what it has left",
    tag: 'campaigns',
    params: entityParams,
    query: noQuery,
    permissions: [caller(guardrailsSummaryReadPermission)],
    response: {
      status: 200,
      type: 'OwnerCampaigns',
      description: "The campaigns and the owner's progress in each",
    },
    errors: [403],
  },
  getEntityCampaigns: {
    method: 'get',
    path: '/campaigns/entity/{kind}/{namespace}/{name}',
    summary: 'The active campaigns that apply to an entity, and what is left',
    tag: 'campaigns',
    params: entityParams,
    query: noQuery,
    permissions: [onEntity(guardrailsPostureReadPermission)],
    response: {
      status: 200,
      type: 'EntityCampaigns',
      description: 'The campaigns and their status',
    },
    errors: [403, 404],
  },
} satisfies Record<string, ApiRoute>;

export type ApiRouteId = keyof typeof API_ROUTES;

/** The body a route answers with: the ApiAnswers type its contract entry names. */
export type AnswerOf<K extends ApiRouteId> =
  ApiAnswers[(typeof API_ROUTES)[K]['response']['type']];
