/*
 * Fixtures and a mock API for component tests: plain data shaped like the
 * backend's answers.
 *
 * Over 400 lines: the frontend tests' shared fixtures and mock API.
 */
import { Entity } from '@backstage/catalog-model';
import {
  ANY_CAMPAIGN_SCOPE,
  AccessPolicyInfo,
  AccessRequest,
  Campaign,
  CampaignProgress,
  CheckDescription,
  EntityPosture,
  PostureListItem,
  PostureResult,
  PostureSummary,
  scoreResults,
} from '@internal/backstage-plugin-security-guardrails-common';
import { SecurityGuardrailsApi } from '../api';

export const SERVICE: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'storefront',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'storefront' },
  },
  spec: {
    type: 'service',
    owner: 'group:default/web',
    lifecycle: 'production',
  },
};

export const UNMAPPED: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'docs-site', namespace: 'default' },
  spec: {
    type: 'website',
    owner: 'group:default/web',
    lifecycle: 'production',
  },
};

export const GROUP: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'web', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

export const SYSTEM: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name: 'shop', namespace: 'default' },
  spec: { owner: 'group:default/web' },
};

const resource = {
  cluster: 'demo',
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'shop-web',
  name: 'storefront',
};

export const RESULTS: PostureResult[] = [
  {
    checkId: 'sc.privileged',
    status: 'fail',
    severity: 'critical',
    domain: 'implementation',
    resource,
    container: 'web',
    field: 'spec.template.spec.containers[web].securityContext.privileged',
    observed: 'true',
    message: 'Runs privileged: all capabilities and host devices.',
    failingSince: '2026-11-20T10:00:00.000Z',
  },
  {
    checkId: 'sc.readonly-rootfs',
    status: 'exempt',
    severity: 'medium',
    domain: 'implementation',
    resource,
    container: 'web',
    message: 'Root filesystem is writable.',
    exemption: {
      source: 'request',
      reason: 'Next.js cache',
      expiresAt: '2026-12-22T12:00:00.000Z',
      approvedBy: ['user:default/sam'],
    },
  },
  {
    checkId: 'net.policy-coverage',
    status: 'warn',
    severity: 'medium',
    domain: 'architecture',
    resource,
    message: 'Only Ingress is restricted; Egress is open.',
  },
  {
    checkId: 'probe.readiness',
    status: 'pass',
    severity: 'medium',
    domain: 'observability',
    resource,
    container: 'web',
    message: 'Has a readiness probe.',
  },
  {
    checkId: 'own.owner',
    status: 'pass',
    severity: 'high',
    domain: 'response',
    resource: {
      cluster: 'catalog',
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      namespace: 'default',
      name: 'storefront',
    },
    message: 'Owned by group:default/web.',
  },
];

export const POSTURE: EntityPosture = {
  entityRef: 'component:default/storefront',
  evaluatedAt: new Date(Date.now() - 120_000).toISOString(),
  clusters: [
    {
      cluster: 'demo',
      readAt: new Date(Date.now() - 120_000).toISOString(),
      status: 'ok',
    },
  ],
  stale: false,
  mapped: true,
  score: scoreResults(RESULTS),
  results: RESULTS,
};

export const CHECKS: CheckDescription[] = [
  {
    id: 'sc.privileged',
    title: 'Containers do not run privileged',
    domain: 'implementation',
    severity: 'critical',
    rationale:
      'A privileged container has every capability and the host devices.',
    remediation:
      'Remove `privileged: true`.\n\n```yaml\nsecurityContext:\n  privileged: false\n```',
    references: ['PSS baseline: Privileged Containers', 'rbac-tool'],
    fix: {
      values: { privileged: false },
      note: 'If the workload needs one kernel feature, add that capability alone.',
    },
  },
  {
    id: 'sc.readonly-rootfs',
    title: 'Root filesystem is read-only',
    domain: 'implementation',
    severity: 'medium',
    rationale: 'A writable root filesystem lets an attacker persist.',
    remediation:
      'Set `readOnlyRootFilesystem: true`.\n\n```yaml\nreadOnlyRootFilesystem: true\n```',
  },
  {
    id: 'net.policy-coverage',
    title: 'NetworkPolicies cover ingress and egress',
    domain: 'architecture',
    severity: 'medium',
    rationale: 'Without a NetworkPolicy every pod can reach the service.',
    remediation:
      'Add a default-deny policy.\n\n```yaml\nkind: NetworkPolicy\n```',
  },
];

export const POLICY: AccessPolicyInfo = {
  roles: [
    {
      name: 'view',
      clusterRole: 'view',
      defaultDurationSeconds: 3600,
      maxDurationSeconds: 8 * 3600,
      approvalsRequired: 0,
      approvers: ['owners', 'security-leads'],
      requesterMustBeOwner: false,
      extensionNeedsApproval: false,
    },
    {
      name: 'edit',
      clusterRole: 'edit',
      description: 'Change workloads.',
      defaultDurationSeconds: 1800,
      maxDurationSeconds: 4 * 3600,
      approvalsRequired: 1,
      approvers: ['owners', 'security-leads'],
      requesterMustBeOwner: true,
      extensionNeedsApproval: true,
    },
  ],
  maxActiveGrantsPerUser: 3,
  pendingTimeoutSeconds: 86400,
  exemptions: { maxDurationSeconds: 90 * 86400, approvalsRequired: 1 },
  securityLeadsGroup: 'group:default/security-leads',
};

export function request(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    kind: 'access',
    entityRef: 'component:default/storefront',
    cluster: 'demo',
    namespaces: ['shop-web'],
    role: 'edit',
    clusterRole: 'edit',
    durationSeconds: 1800,
    justification: 'Debugging INC-4211',
    requester: 'user:default/dana',
    subject: 'dana@acme.example',
    state: 'pending',
    approvalsRequired: 1,
    approvals: [],
    approverGroups: ['group:default/security-leads', 'group:default/web'],
    createdAt: new Date(Date.now() - 60_000).toISOString(),
    updatedAt: new Date(Date.now() - 60_000).toISOString(),
    bindings: [],
    attempts: 0,
    ...overrides,
  };
}

export function listItem(
  ref: string,
  score: number | null,
  grade: PostureListItem['grade'],
  extra: Partial<PostureListItem> = {},
): PostureListItem {
  const d = { score, grade };
  return {
    entityRef: ref,
    owner: 'group:default/web',
    system: 'system:default/shop',
    score,
    grade,
    domains: {
      architecture: d,
      implementation: d,
      observability: d,
      response: d,
      maintenance: d,
    },
    criticalFailures: 0,
    failingChecks: [],
    stale: false,
    mapped: true,
    evaluatedAt: new Date().toISOString(),
    ...extra,
  };
}

export const SUMMARY: PostureSummary = {
  groupBy: 'owner',
  generatedAt: new Date().toISOString(),
  overall: {
    key: 'all',
    services: 3,
    averageScore: 71.7,
    grades: { A: 1, B: 0, C: 1, D: 0, F: 1, none: 0 },
    shareBOrBetter: 0.333,
    criticalFailures: 4,
    servicesWithCriticalFailures: 2,
    change7d: 2.5,
    change30d: null,
  },
  groups: [
    {
      key: 'group:default/web',
      services: 2,
      averageScore: 60,
      grades: { A: 0, B: 0, C: 1, D: 0, F: 1, none: 0 },
      shareBOrBetter: 0,
      criticalFailures: 4,
      servicesWithCriticalFailures: 2,
      change7d: -3,
      change30d: null,
    },
    {
      key: 'group:default/payments',
      services: 1,
      averageScore: 95,
      grades: { A: 1, B: 0, C: 0, D: 0, F: 0, none: 0 },
      shareBOrBetter: 1,
      criticalFailures: 0,
      servicesWithCriticalFailures: 0,
      change7d: 5,
      change30d: null,
    },
  ],
  passRateByCheck: [
    {
      checkId: 'sc.privileged',
      domain: 'implementation',
      pass: 2,
      fail: 1,
      warn: 0,
      exempt: 1,
      notApplicable: 4,
      rate: 0.667,
    },
  ],
  mostImproved: {
    days7: [
      {
        entityRef: 'component:default/checkout',
        owner: 'group:default/payments',
        from: 90,
        to: 95,
        delta: 5,
      },
    ],
    days30: [],
  },
  mostRegressed: {
    days7: [
      {
        entityRef: 'component:default/storefront',
        owner: 'group:default/web',
        from: 75,
        to: 72,
        delta: -3,
      },
    ],
    days30: [],
  },
  clusters: [
    { cluster: 'demo', readAt: new Date().toISOString(), status: 'ok' },
  ],
};

/** Every API method as a jest mock with a sensible default answer. */
export const CAMPAIGN: Campaign = {
  id: '3f1c2b7e-5a0d-4c8e-9b7a-2d6f1e0c9a11',
  name: 'No root in production',
  description: 'Containers that run as root escape more easily.',
  owner: 'group:default/security-leads',
  state: 'active',
  startsAt: '2026-12-01T00:00:00.000Z',
  deadline: '2026-12-29T00:00:00.000Z',
  target: { checkIds: ['sc.privileged'] },
  scope: { ...ANY_CAMPAIGN_SCOPE, lifecycles: ['production'] },
  createdBy: 'user:default/sam',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedBy: 'user:default/sam',
  updatedAt: '2026-12-01T00:00:00.000Z',
};

export const CAMPAIGN_PROGRESS: CampaignProgress = {
  campaign: CAMPAIGN,
  services: 3,
  done: 1,
  daysLeft: 24,
  byOwner: [
    { owner: 'group:default/web', services: 2, done: 0 },
    { owner: 'group:default/payments', services: 1, done: 1 },
  ],
  remaining: [
    {
      entityRef: 'component:default/storefront',
      owner: 'group:default/web',
      grade: 'C',
      done: false,
      failingChecks: ['sc.privileged'],
      belowGrade: false,
    },
    {
      entityRef: 'component:default/search',
      owner: 'group:default/web',
      grade: 'F',
      done: false,
      failingChecks: ['sc.privileged'],
      belowGrade: false,
    },
  ],
  exemptions: [
    {
      requestId: '9b2e7c1a-4d3f-4e8a-9c0b-1a2b3c4d5e6f',
      entityRef: 'component:default/search',
      checkId: 'sc.privileged',
      state: 'active',
      requester: 'user:default/dana',
      expiresAt: '2027-01-15T00:00:00.000Z',
    },
  ],
};

export function mockApi(
  overrides: Partial<SecurityGuardrailsApi> = {},
): jest.Mocked<SecurityGuardrailsApi> {
  const api: jest.Mocked<SecurityGuardrailsApi> = {
    getPosture: jest.fn().mockResolvedValue(POSTURE),
    getPostureHistory: jest.fn().mockResolvedValue({
      entityRef: POSTURE.entityRef,
      from: '2026-10-23T00:00:00.000Z',
      to: '2026-11-22T00:00:00.000Z',
      scores: [
        {
          at: '2026-11-01T00:00:00.000Z',
          score: 60,
          grade: 'D',
          domains: {} as any,
        },
        {
          at: '2026-11-20T00:00:00.000Z',
          score: 72,
          grade: 'C',
          domains: {} as any,
        },
      ],
      checks: [
        {
          at: '2026-11-20T00:00:00.000Z',
          checkId: 'sc.seccomp',
          resultKey: 'k',
          from: 'fail',
          to: 'pass',
        },
      ],
    }),
    refreshPosture: jest.fn().mockResolvedValue(POSTURE),
    listPostures: jest.fn().mockResolvedValue({
      items: [
        listItem('component:default/storefront', 72, 'C', {
          criticalFailures: 1,
          failingChecks: ['sc.privileged'],
        }),
        listItem('component:default/search', 48, 'F', {
          criticalFailures: 3,
          failingChecks: ['sc.privileged', 'img.tag-pinned'],
        }),
      ],
    }),
    getSummary: jest.fn().mockResolvedValue(SUMMARY),
    getTrend: jest.fn().mockResolvedValue({
      days: 30,
      points: [
        {
          date: '2026-11-21',
          services: 3,
          averageScore: 70,
          shareBOrBetter: 0.2,
        },
        {
          date: '2026-11-22',
          services: 3,
          averageScore: 71.7,
          shareBOrBetter: 0.333,
        },
      ],
    }),
    getStandingAccess: jest.fn().mockResolvedValue({
      total: 2,
      items: [
        {
          entityRef: 'component:default/storefront',
          result: {
            checkId: 'maint.expired-binding',
            status: 'fail',
            severity: 'critical',
            domain: 'maintenance',
            resource: {
              cluster: 'demo',
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'RoleBinding',
              namespace: 'shop-web',
              name: 'dana-edit-incident-4102',
            },
            message: 'Expired at 2026-10-03T18:00:00Z and still present.',
          },
        },
        {
          result: {
            checkId: 'maint.standing-privilege',
            status: 'fail',
            severity: 'high',
            domain: 'maintenance',
            resource: {
              cluster: 'demo',
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'ClusterRoleBinding',
              name: 'olga-cluster-admin',
            },
            message: 'User olga hold cluster-admin with no expiry.',
          },
        },
      ],
    }),
    getUnowned: jest.fn().mockResolvedValue({
      evaluatedAt: new Date().toISOString(),
      total: 1,
      results: [
        {
          checkId: 'maint.standing-privilege',
          status: 'fail',
          severity: 'high',
          domain: 'maintenance',
          resource: {
            cluster: 'demo',
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRoleBinding',
            name: 'olga-cluster-admin',
          },
          message: 'User olga hold cluster-admin with no expiry.',
        },
      ],
    }),
    getChecks: jest.fn().mockResolvedValue(CHECKS),
    getCheck: jest
      .fn()
      .mockImplementation(async (id: string) => CHECKS.find(c => c.id === id)!),
    getAccessPolicy: jest.fn().mockResolvedValue(POLICY),
    getAccessTargets: jest.fn().mockResolvedValue({
      entityRef: POSTURE.entityRef,
      targets: [{ cluster: 'demo', namespaces: ['shop-web', 'shop-jobs'] }],
      excluded: [],
    }),
    createAccessRequest: jest.fn().mockResolvedValue(request()),
    createExemptionRequest: jest.fn().mockResolvedValue(
      request({
        kind: 'exemption',
        checkId: 'sc.privileged',
        approverGroups: ['group:default/security-leads'],
      }),
    ),
    listRequests: jest.fn().mockResolvedValue({ items: [] }),
    getRequest: jest.fn().mockResolvedValue(request()),
    actOnRequest: jest
      .fn()
      .mockImplementation(async (_kind, id, action) =>
        request({ id, state: action === 'approve' ? 'active' : 'denied' }),
      ),
    extendGrant: jest.fn().mockResolvedValue(request({ kind: 'extension' })),
    listGrants: jest.fn().mockResolvedValue([]),
    getAudit: jest.fn().mockResolvedValue({ items: [] }),
    listCampaigns: jest.fn().mockResolvedValue([CAMPAIGN]),
    createCampaign: jest
      .fn()
      .mockImplementation(async (c: any) => ({ ...CAMPAIGN, ...c, id: 'new' })),
    updateCampaign: jest
      .fn()
      .mockImplementation(async (id: string, c: any) => ({
        ...CAMPAIGN,
        ...c,
        id,
      })),
    getCampaignProgress: jest.fn().mockResolvedValue(CAMPAIGN_PROGRESS),
    getCampaignBurndown: jest.fn().mockResolvedValue({
      campaignId: CAMPAIGN.id,
      points: [
        { date: '2026-11-17', services: 3, done: 0 },
        { date: '2026-11-24', services: 3, done: 0 },
        { date: '2026-12-01', services: 3, done: 1 },
        { date: '2026-12-04', services: 3, done: 1 },
      ],
      regressed: [
        {
          entityRef: 'component:default/search',
          owner: 'group:default/web',
          metOn: '2026-12-02',
        },
      ],
    }),
    getOwnerCampaigns: jest.fn().mockResolvedValue({
      owner: 'group:default/web',
      items: [
        {
          campaign: CAMPAIGN,
          daysLeft: 24,
          services: 2,
          done: 0,
          remaining: CAMPAIGN_PROGRESS.remaining,
        },
      ],
    }),
    getEntityCampaigns: jest.fn().mockResolvedValue({
      entityRef: 'component:default/storefront',
      items: [
        {
          campaign: CAMPAIGN,
          daysLeft: 24,
          status: CAMPAIGN_PROGRESS.remaining[0],
        },
      ],
    }),
    ...overrides,
  } as jest.Mocked<SecurityGuardrailsApi>;
  return api;
}
