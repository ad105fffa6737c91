/*
 * What each route answers, by the name its contract entry gives
 * (`response.type`): the one map from a route to the type of its body. The
 * frontend client reads its answer types through it, and the backend's
 * OpenAPI document gives each as JSON Schema generated from these types
 * (`src/schema/answers.json` in the backend, kept in step by a test).
 */
import type { EntityPosture } from '../api';
import type {
  AccessPolicyInfo,
  AccessRequest,
  AccessRequestList,
  AccessTargets,
  AuditList,
} from '../accessApi';
import type { CheckDescription } from '../checks';
import type {
  Campaign,
  CampaignBurndown,
  CampaignList,
  CampaignProgress,
  EntityCampaigns,
  OwnerCampaigns,
} from '../campaigns';
import type {
  PostureHistory,
  PostureListResponse,
  PostureStatus,
  PostureSummary,
  PostureTrend,
  StandingAccessFindings,
  UnownedFindings,
} from '../postureApi';

/** GET /health. */
export interface HealthStatus {
  status: 'ok';
}

/** GET /checks: the checks catalogue. */
export interface CheckList {
  items: CheckDescription[];
}

/** GET /grants: grants that hold access. */
export interface GrantList {
  items: AccessRequest[];
}

/** GET /openapi.json: an OpenAPI 3.1 document. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** Every answer of the API, by the name a route's `response.type` gives. */
export interface ApiAnswers {
  AccessPolicyInfo: AccessPolicyInfo;
  AccessRequest: AccessRequest;
  AccessRequestList: AccessRequestList;
  AccessTargets: AccessTargets;
  AuditList: AuditList;
  Campaign: Campaign;
  CampaignBurndown: CampaignBurndown;
  CampaignList: CampaignList;
  CampaignProgress: CampaignProgress;
  CheckDescription: CheckDescription;
  CheckList: CheckList;
  EntityCampaigns: EntityCampaigns;
  OwnerCampaigns: OwnerCampaigns;
  EntityPosture: EntityPosture;
  GrantList: GrantList;
  HealthStatus: HealthStatus;
  OpenApiDocument: OpenApiDocument;
  PostureHistory: PostureHistory;
  PostureListResponse: PostureListResponse;
  PostureStatus: PostureStatus;
  PostureSummary: PostureSummary;
  PostureTrend: PostureTrend;
  StandingAccessFindings: StandingAccessFindings;
  UnownedFindings: UnownedFindings;
}

/** The name of an answer type. */
export type ApiAnswerName = keyof ApiAnswers;
