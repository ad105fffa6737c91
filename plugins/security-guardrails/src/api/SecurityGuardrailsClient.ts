import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  AnswerOf,
  CampaignUpdate,
  NewCampaign,
  PostureScope,
  SummaryGroupBy,
} from '@internal/backstage-plugin-security-guardrails-common';
import {
  AuditQuery,
  NewAccessRequest,
  NewExemptionRequest,
  PostureListQuery,
  RequestAction,
  RequestListQuery,
  SecurityGuardrailsApi,
} from './SecurityGuardrailsApi';

function entityPath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return [kind, namespace, name].map(encodeURIComponent).join('/');
}

function query(
  params: Record<string, string | number | string[] | undefined>,
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) value.forEach(v => search.append(key, v));
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Talks to the backend over `fetchApi` (which adds the user's token);
 * non-2xx answers throw a ResponseError carrying the backend's message.
 * Each answer's type is the one the API contract names for its route
 * (AnswerOf), the type the OpenAPI document's schema is generated from.
 *
 * @public
 */
export class SecurityGuardrailsClient implements SecurityGuardrailsApi {
  readonly #discoveryApi: DiscoveryApi;
  readonly #fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.#discoveryApi = options.discoveryApi;
    this.#fetchApi = options.fetchApi;
  }

  protected async request<T>(path: string, init?: RequestInit): Promise<T> {
    const base = await this.#discoveryApi.getBaseUrl('security-guardrails');
    const response = await this.#fetchApi.fetch(`${base}${path}`, {
      ...init,
      headers: {
        ...(init?.body ? { 'Content-Type': 'application/json' } : {}),
        ...init?.headers,
      },
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }

  getPosture(entityRef: string) {
    return this.request<AnswerOf<'getPosture'>>(
      `/posture/${entityPath(entityRef)}`,
    );
  }

  getPostureHistory(
    entityRef: string,
    range: { from?: string; to?: string } = {},
  ) {
    return this.request<AnswerOf<'getPostureHistory'>>(
      `/posture/${entityPath(entityRef)}/history${query(range)}`,
    );
  }

  refreshPosture(entityRef: string) {
    return this.request<AnswerOf<'refreshPosture'>>(
      `/posture/${entityPath(entityRef)}/refresh`,
      { method: 'POST' },
    );
  }

  listPostures(q: PostureListQuery = {}) {
    return this.request<AnswerOf<'listPostures'>>(`/posture${query({ ...q })}`);
  }

  getSummary(groupBy: SummaryGroupBy, scope: PostureScope = {}) {
    return this.request<AnswerOf<'getSummary'>>(
      `/summary${query({ groupBy, ...scope })}`,
    );
  }

  getTrend(days: number, scope: PostureScope = {}) {
    return this.request<AnswerOf<'getTrend'>>(
      `/summary/trend${query({ days, ...scope })}`,
    );
  }

  getUnowned() {
    return this.request<AnswerOf<'getUnowned'>>('/unowned');
  }

  getStandingAccess() {
    return this.request<AnswerOf<'getStandingAccess'>>(
      '/summary/standing-access',
    );
  }

  async getChecks() {
    return (await this.request<AnswerOf<'listChecks'>>('/checks')).items;
  }

  getCheck(id: string) {
    return this.request<AnswerOf<'getCheck'>>(
      `/checks/${encodeURIComponent(id)}`,
    );
  }

  getAccessPolicy() {
    return this.request<AnswerOf<'getAccessPolicy'>>('/access/policy');
  }

  getAccessTargets(entityRef: string) {
    return this.request<AnswerOf<'getAccessTargets'>>(
      `/access/targets/${entityPath(entityRef)}`,
    );
  }

  createAccessRequest(request: NewAccessRequest) {
    return this.request<AnswerOf<'createAccessRequest'>>('/access-requests', {
      method: 'POST',
      body: JSON.stringify(request),
    });
  }

  createExemptionRequest(request: NewExemptionRequest) {
    return this.request<AnswerOf<'createExemptionRequest'>>(
      '/exemption-requests',
      {
        method: 'POST',
        body: JSON.stringify(request),
      },
    );
  }

  listRequests(kind: 'access' | 'exemption', q: RequestListQuery = {}) {
    return this.request<AnswerOf<'listAccessRequests'>>(
      `/${kind}-requests${query({ ...q })}`,
    );
  }

  getRequest(kind: 'access' | 'exemption', id: string) {
    return this.request<AnswerOf<'getAccessRequest' | 'getExemptionRequest'>>(
      `/${kind}-requests/${encodeURIComponent(id)}`,
    );
  }

  actOnRequest(
    kind: 'access' | 'exemption',
    id: string,
    action: RequestAction,
    text?: string,
  ) {
    const field =
      action === 'approve' || action === 'deny' ? 'comment' : 'reason';
    return this.request<AnswerOf<`${RequestAction}AccessRequest`>>(
      `/${kind}-requests/${encodeURIComponent(id)}/${action}`,
      {
        method: 'POST',
        body: JSON.stringify(text ? { [field]: text } : {}),
      },
    );
  }

  extendGrant(id: string, durationSeconds: number, justification: string) {
    return this.request<AnswerOf<'extendAccessRequest'>>(
      `/access-requests/${encodeURIComponent(id)}/extend`,
      {
        method: 'POST',
        body: JSON.stringify({ durationSeconds, justification }),
      },
    );
  }

  async listGrants() {
    return (await this.request<AnswerOf<'listGrants'>>('/grants')).items;
  }

  getAudit(q: AuditQuery = {}) {
    return this.request<AnswerOf<'getAudit'>>(`/audit${query({ ...q })}`);
  }

  async listCampaigns() {
    return (await this.request<AnswerOf<'listCampaigns'>>('/campaigns')).items;
  }

  createCampaign(campaign: NewCampaign) {
    return this.request<AnswerOf<'createCampaign'>>('/campaigns', {
      method: 'POST',
      body: JSON.stringify(campaign),
    });
  }

  updateCampaign(id: string, changes: CampaignUpdate) {
    return this.request<AnswerOf<'updateCampaign'>>(
      `/campaigns/${encodeURIComponent(id)}`,
      { method: 'PUT', body: JSON.stringify(changes) },
    );
  }

  getCampaignProgress(id: string) {
    return this.request<AnswerOf<'getCampaignProgress'>>(
      `/campaigns/${encodeURIComponent(id)}/progress`,
    );
  }

  getCampaignBurndown(id: string) {
    return this.request<AnswerOf<'getCampaignBurndown'>>(
      `/campaigns/${encodeURIComponent(id)}/burndown`,
    );
  }

  getEntityCampaigns(entityRef: string) {
    return this.request<AnswerOf<'getEntityCampaigns'>>(
      `/campaigns/entity/${entityPath(entityRef)}`,
    );
  }

  getOwnerCampaigns(ownerRef: string) {
    return this.request<AnswerOf<'getOwnerCampaigns'>>(
      `/campaigns/owner/${entityPath(ownerRef)}`,
    );
  }
}
