import { createApiRef } from '@backstage/core-plugin-api';
import {
  AccessPolicyInfo,
  AccessRequest,
  AccessRequestList,
  AccessTargets,
  AuditList,
  AuditQuery,
  CheckDescription,
  EntityPosture,
  NewAccessRequest,
  NewExemptionRequest,
  PostureHistory,
  PostureListQuery,
  PostureListResponse,
  PostureSummary,
  PostureTrend,
  RequestListQuery,
  PostureScope,
  SummaryGroupBy,
  Campaign,
  CampaignBurndown,
  CampaignProgress,
  CampaignUpdate,
  EntityCampaigns,
  OwnerCampaigns,
  NewCampaign,
  StandingAccessFindings,
  UnownedFindings,
} from '@internal/backstage-plugin-security-guardrails-common';

// Request shapes come from the API contract in -common, inferred from the
// schemas the backend validates with.
export type {
  AuditQuery,
  NewAccessRequest,
  NewExemptionRequest,
  PostureListQuery,
  RequestListQuery,
} from '@internal/backstage-plugin-security-guardrails-common';

/** @public */
export type RequestAction = 'approve' | 'deny' | 'cancel' | 'revoke';

/**
 * The Security Guardrails backend, as the frontend uses it.
 *
 * @public
 */
export interface SecurityGuardrailsApi {
  getPosture(entityRef: string): Promise<EntityPosture>;
  getPostureHistory(
    entityRef: string,
    range?: { from?: string; to?: string },
  ): Promise<PostureHistory>;
  refreshPosture(entityRef: string): Promise<EntityPosture>;
  listPostures(query?: PostureListQuery): Promise<PostureListResponse>;
  /** The org rollup grouped as asked, over the services in `scope` (all when empty). */
  getSummary(
    groupBy: SummaryGroupBy,
    scope?: PostureScope,
  ): Promise<PostureSummary>;
  getTrend(days: number, scope?: PostureScope): Promise<PostureTrend>;
  getUnowned(): Promise<UnownedFindings>;
  /** Every binding flagged as standing privilege or past its expiry. */
  getStandingAccess(): Promise<StandingAccessFindings>;
  getChecks(): Promise<CheckDescription[]>;
  getCheck(id: string): Promise<CheckDescription>;

  getAccessPolicy(): Promise<AccessPolicyInfo>;
  getAccessTargets(entityRef: string): Promise<AccessTargets>;
  createAccessRequest(request: NewAccessRequest): Promise<AccessRequest>;
  createExemptionRequest(request: NewExemptionRequest): Promise<AccessRequest>;
  listRequests(
    kind: 'access' | 'exemption',
    query?: RequestListQuery,
  ): Promise<AccessRequestList>;
  getRequest(kind: 'access' | 'exemption', id: string): Promise<AccessRequest>;
  /** approve/deny take `comment`; cancel/revoke take `reason`. */
  actOnRequest(
    kind: 'access' | 'exemption',
    id: string,
    action: RequestAction,
    text?: string,
  ): Promise<AccessRequest>;
  extendGrant(
    id: string,
    durationSeconds: number,
    justification: string,
  ): Promise<AccessRequest>;
  listGrants(): Promise<AccessRequest[]>;
  getAudit(query?: AuditQuery): Promise<AuditList>;

  listCampaigns(): Promise<Campaign[]>;
  createCampaign(campaign: NewCampaign): Promise<Campaign>;
  updateCampaign(id: string, changes: CampaignUpdate): Promise<Campaign>;
  getCampaignProgress(id: string): Promise<CampaignProgress>;
  getCampaignBurndown(id: string): Promise<CampaignBurndown>;
  getEntityCampaigns(entityRef: string): Promise<EntityCampaigns>;
  getOwnerCampaigns(ownerRef: string): Promise<OwnerCampaigns>;
}

/** @public */
export const securityGuardrailsApiRef = createApiRef<SecurityGuardrailsApi>({
  id: 'plugin.security-guardrails.api',
});
