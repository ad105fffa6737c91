import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  AccessPolicyInfo,
  AccessRequest,
  AccessRequestList,
  AccessTargets,
  AuditList,
  CheckDescription,
  EntityPosture,
  PostureHistory,
  PostureListResponse,
  PostureSummary,
  PostureTrend,
  SummaryGroupBy,
  StandingAccessFindings,
  UnownedFindings,
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
    return this.request<EntityPosture>(`/posture/${entityPath(entityRef)}`);
  }

  getPostureHistory(
    entityRef: string,
    range: { from?: string; to?: string } = {},
  ) {
    return this.request<PostureHistory>(
      `/posture/${entityPath(entityRef)}/history${query(range)}`,
    );
  }

  refreshPosture(entityRef: string) {
    return this.request<EntityPosture>(
      `/posture/${entityPath(entityRef)}/refresh`,
      { method: 'POST' },
    );
  }

  listPostures(q: PostureListQuery = {}) {
    return this.request<PostureListResponse>(`/posture${query({ ...q })}`);
  }

  getSummary(groupBy: SummaryGroupBy) {
    return this.request<PostureSummary>(`/summary${query({ groupBy })}`);
  }

  getTrend(days: number) {
    return this.request<PostureTrend>(`/summary/trend${query({ days })}`);
  }

  getUnowned() {
    return this.request<UnownedFindings>('/unowned');
  }

  getStandingAccess() {
    return this.request<StandingAccessFindings>('/summary/standing-access');
  }

  async getChecks() {
    return (await this.request<{ items: CheckDescription[] }>('/checks')).items;
  }

  getCheck(id: string) {
    return this.request<CheckDescription>(`/checks/${encodeURIComponent(id)}`);
  }

  getAccessPolicy() {
    return this.request<AccessPolicyInfo>('/access/policy');
  }

  getAccessTargets(entityRef: string) {
    return this.request<AccessTargets>(
      `/access/targets/${entityPath(entityRef)}`,
    );
  }

  createAccessRequest(request: NewAccessRequest) {
    return this.request<AccessRequest>('/access-requests', {
      method: 'POST',
      body: JSON.stringify(request),
    });
  }

  createExemptionRequest(request: NewExemptionRequest) {
    return this.request<AccessRequest>('/exemption-requests', {
      method: 'POST',
      body: JSON.stringify(request),
    });
  }

  listRequests(kind: 'access' | 'exemption', q: RequestListQuery = {}) {
    return this.request<AccessRequestList>(
      `/${kind}-requests${query({ ...q })}`,
    );
  }

  getRequest(kind: 'access' | 'exemption', id: string) {
    return this.request<AccessRequest>(
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
    return this.request<AccessRequest>(
      `/${kind}-requests/${encodeURIComponent(id)}/${action}`,
      {
        method: 'POST',
        body: JSON.stringify(text ? { [field]: text } : {}),
      },
    );
  }

  extendGrant(id: string, durationSeconds: number, justification: string) {
    return this.request<AccessRequest>(
      `/access-requests/${encodeURIComponent(id)}/extend`,
      {
        method: 'POST',
        body: JSON.stringify({ durationSeconds, justification }),
      },
    );
  }

  async listGrants() {
    return (await this.request<{ items: AccessRequest[] }>('/grants')).items;
  }

  getAudit(q: AuditQuery = {}) {
    return this.request<AuditList>(`/audit${query({ ...q })}`);
  }
}
