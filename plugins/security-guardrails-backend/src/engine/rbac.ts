/*
 * RBAC helpers: rules, role references, and the default user-facing roles for
 * states (manifest directories) that do not contain them.
 *
 * Over 400 lines on purpose: one model of RBAC (rule matching, aggregation,
 * reach, admin equivalence) that every rbac.* and maint.* check shares.
 */

import type { PolicyRule } from '@internal/backstage-plugin-security-guardrails-node';

export type { PolicyRule };

export interface RoleRef {
  apiGroup?: string;
  kind: string;
  name: string;
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

const READ_VERBS = ['get', 'list', 'watch'];
const WRITE_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

/** What edit and admin share: pods and their subresources, Secrets, workloads. */
const EDIT_RULES: PolicyRule[] = [
  {
    apiGroups: [''],
    resources: ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'],
    verbs: ['create', 'get', 'list', 'watch', 'delete', 'patch', 'update'],
  },
  {
    apiGroups: [''],
    resources: [
      'secrets',
      'configmaps',
      'pods',
      'services',
      'serviceaccounts',
      'replicationcontrollers',
      'persistentvolumeclaims',
    ],
    verbs: WRITE_VERBS,
  },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
    verbs: WRITE_VERBS,
  },
  {
    apiGroups: ['batch'],
    resources: ['jobs', 'cronjobs'],
    verbs: WRITE_VERBS,
  },
];

/**
 * The rules of Kubernetes' default user-facing ClusterRoles, reduced to what
 * the checks look at. Used when a state does not contain these roles (a
 * directory of manifests); live clusters always do, and their real rules win.
 */
export const DEFAULT_CLUSTER_ROLE_RULES: Record<string, PolicyRule[]> = {
  'cluster-admin': [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ],
  admin: [
    ...EDIT_RULES,
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['rolebindings', 'roles'],
      verbs: WRITE_VERBS,
    },
  ],
  edit: EDIT_RULES,
  view: [
    {
      apiGroups: [''],
      resources: [
        'configmaps',
        'pods',
        'services',
        'endpoints',
        'serviceaccounts',
        'replicationcontrollers',
        'persistentvolumeclaims',
      ],
      verbs: READ_VERBS,
    },
    {
      apiGroups: ['apps'],
      resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
      verbs: READ_VERBS,
    },
    {
      apiGroups: ['batch'],
      resources: ['jobs', 'cronjobs'],
      verbs: READ_VERBS,
    },
  ],
};

/** The label Kubernetes puts on every role and binding it creates itself. */
export const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';

/**
 * The default ClusterRoles by name, for states (manifest directories) that
 * mention them without containing them. A live cluster labels each of them
 * with {@link BOOTSTRAP_LABEL}; a `system:` prefix alone proves nothing.
 */
const DEFAULT_CLUSTER_ROLE_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(DEFAULT_CLUSTER_ROLE_RULES),
  'system:aggregate-to-admin',
  'system:aggregate-to-edit',
  'system:aggregate-to-view',
  'system:auth-delegator',
  'system:basic-user',
  'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
  'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
  'system:certificates.k8s.io:kube-apiserver-client-approver',
  'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver',
  'system:certificates.k8s.io:kubelet-serving-approver',
  'system:certificates.k8s.io:legacy-unknown-approver',
  'system:discovery',
  'system:heapster',
  'system:kube-aggregator',
  'system:kube-controller-manager',
  'system:kube-dns',
  'system:kube-scheduler',
  'system:kubelet-api-admin',
  'system:monitoring',
  'system:node',
  'system:node-bootstrapper',
  'system:node-problem-detector',
  'system:node-proxier',
  'system:persistent-volume-provisioner',
  'system:public-info-viewer',
  'system:service-account-issuer-discovery',
  'system:volume-scheduler',
  ...[
    'attachdetach-controller',
    'certificate-controller',
    'clusterrole-aggregation-controller',
    'cronjob-controller',
    'daemon-set-controller',
    'deployment-controller',
    'disruption-controller',
    'endpoint-controller',
    'endpointslice-controller',
    'endpointslicemirroring-controller',
    'ephemeral-volume-controller',
    'expand-controller',
    'generic-garbage-collector',
    'horizontal-pod-autoscaler',
    'job-controller',
    'legacy-service-account-token-cleaner',
    'namespace-controller',
    'node-controller',
    'persistent-volume-binder',
    'pod-garbage-collector',
    'pv-protection-controller',
    'pvc-protection-controller',
    'replicaset-controller',
    'replication-controller',
    'resourcequota-controller',
    'root-ca-cert-publisher',
    'route-controller',
    'service-account-controller',
    'service-controller',
    'statefulset-controller',
    'ttl-after-finished-controller',
    'ttl-controller',
    'validatingadmissionpolicy-status-controller',
  ].map(c => `system:controller:${c}`),
]);

/** Whether an object carries the label Kubernetes puts on what it bootstraps. */
export function isBootstrapped(obj: {
  metadata?: { labels?: Record<string, string> };
}): boolean {
  return obj.metadata?.labels?.[BOOTSTRAP_LABEL] === 'rbac-defaults';
}

/**
 * Whether a role is one of Kubernetes' defaults: it carries the bootstrap
 * label, or it is a ClusterRole known by name. A user-written
 * `ClusterRole system:foo` is not built-in.
 */
export function isBuiltinRole(role: {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
}): boolean {
  if (isBootstrapped(role)) return true;
  return (
    role.kind === 'ClusterRole' &&
    DEFAULT_CLUSTER_ROLE_NAMES.has(role.metadata.name)
  );
}

/** Whether a ClusterRole name is one of Kubernetes' defaults (for roles the state lacks). */
export function isDefaultClusterRoleName(name: string): boolean {
  return DEFAULT_CLUSTER_ROLE_NAMES.has(name);
}

/**
 * The aggregation label each default aggregated role collects; a state
 * without the role still gets the rules of custom roles carrying it.
 */
export const DEFAULT_AGGREGATION_LABELS: Record<string, string> = {
  admin: 'rbac.authorization.k8s.io/aggregate-to-admin',
  edit: 'rbac.authorization.k8s.io/aggregate-to-edit',
  view: 'rbac.authorization.k8s.io/aggregate-to-view',
};

const NO_STRINGS: string[] = Object.freeze([]) as unknown as string[];

/**
 * The strings of a rule's list, for reading only: the list itself when it
 * holds nothing else (as a valid one does), so no copy is made per look.
 */
function arr(value: unknown): string[] {
  if (!Array.isArray(value)) return NO_STRINGS;
  for (const v of value) {
    if (typeof v !== 'string') {
      return value.filter((x): x is string => typeof x === 'string');
    }
  }
  return value;
}

export function rulesOf(
  role: { [field: string]: unknown } | undefined,
): PolicyRule[] {
  const rules = role?.rules;
  return Array.isArray(rules)
    ? rules.filter((r): r is PolicyRule => !!r && typeof r === 'object')
    : [];
}

function groupMatches(rule: PolicyRule, groups: string[]): boolean {
  const ruleGroups = arr(rule.apiGroups);
  return ruleGroups.includes('*') || groups.some(g => ruleGroups.includes(g));
}

function verbsMatch(rule: PolicyRule, verbs: string[]): boolean {
  const ruleVerbs = arr(rule.verbs);
  return ruleVerbs.includes('*') || verbs.some(v => ruleVerbs.includes(v));
}

function resourceMatches(rule: PolicyRule, resources: string[]): boolean {
  const ruleResources = arr(rule.resources);
  for (const r of ruleResources) {
    if (r === '*') return true;
    if (resources.includes(r)) return true;
    // `pods/*` matches every subresource of pods.
    if (r.endsWith('/*')) {
      const base = r.slice(0, -2);
      if (resources.some(x => x.startsWith(`${base}/`))) return true;
    }
  }
  return false;
}

/** Whether a rule grants any of the verbs on any of the resources. */
export function ruleGrants(
  rule: PolicyRule,
  opts: { groups: string[]; resources: string[]; verbs: string[] },
): boolean {
  return (
    groupMatches(rule, opts.groups) &&
    resourceMatches(rule, opts.resources) &&
    verbsMatch(rule, opts.verbs)
  );
}

export function isAllWildcardRule(rule: PolicyRule): boolean {
  return (
    arr(rule.apiGroups).includes('*') &&
    arr(rule.resources).includes('*') &&
    arr(rule.verbs).includes('*')
  );
}

export function hasWildcard(
  rule: PolicyRule,
): 'verbs' | 'resources' | undefined {
  if (arr(rule.verbs).includes('*')) return 'verbs';
  if (arr(rule.resources).includes('*')) return 'resources';
  return undefined;
}

export const SECRET_READ = {
  groups: [''],
  resources: ['secrets'],
  verbs: ['get', 'list', 'watch'],
};

export const EXEC_ATTACH = {
  groups: [''],
  resources: ['pods/exec', 'pods/attach'],
  verbs: ['create', 'get'],
};

/** Verbs that let a holder grant itself more than it has. */
export function escalationIn(rule: PolicyRule): string | undefined {
  const verbs = arr(rule.verbs);
  for (const v of ['escalate', 'bind', 'impersonate']) {
    if (verbs.includes(v)) return v;
  }
  if (
    verbs.includes('*') &&
    ruleGrants(rule, {
      groups: ['rbac.authorization.k8s.io', ''],
      resources: [
        'roles',
        'clusterroles',
        'users',
        'groups',
        'serviceaccounts',
      ],
      verbs: ['*'],
    })
  ) {
    return '*';
  }
  return undefined;
}

export function describeRule(rule: PolicyRule): string {
  const groups = arr(rule.apiGroups).map(g => (g === '' ? 'core' : g));
  const resources = arr(rule.resources);
  const names = arr(rule.resourceNames);
  const urls = arr(rule.nonResourceURLs);
  const target = urls.length
    ? urls.join(',')
    : `${groups.join(',') || 'core'}/${resources.join(',')}${
        names.length ? `(${names.join(',')})` : ''
      }`;
  return `${arr(rule.verbs).join(',')} on ${target}`;
}

export function subjectsOf(binding: { [field: string]: unknown }): Subject[] {
  const subjects = binding.subjects;
  return Array.isArray(subjects)
    ? subjects.filter(
        (s): s is Subject =>
          !!s &&
          typeof s === 'object' &&
          typeof s.kind === 'string' &&
          typeof s.name === 'string',
      )
    : [];
}

export function roleRefOf(binding: {
  [field: string]: unknown;
}): RoleRef | undefined {
  const ref = binding.roleRef as RoleRef | undefined;
  if (
    !ref ||
    typeof ref !== 'object' ||
    typeof ref.name !== 'string' ||
    typeof ref.kind !== 'string'
  ) {
    return undefined;
  }
  return ref;
}

function hasNoNames(rule: PolicyRule): boolean {
  return arr(rule.resourceNames).length === 0;
}

/** Who a broad subject stands for, when it reaches service accounts (or everyone). */
export function broadReach(subject: Subject): string | undefined {
  if (subject.kind === 'Group') {
    if (subject.name === 'system:authenticated') {
      return 'every service account and every signed-in user';
    }
    if (subject.name === 'system:unauthenticated') {
      return 'anyone who can reach the API server, signed in or not';
    }
    if (subject.name === 'system:serviceaccounts') {
      return 'every service account';
    }
    if (subject.name.startsWith('system:serviceaccounts:')) {
      return `every service account in namespace ${subject.name.slice(
        'system:serviceaccounts:'.length,
      )}`;
    }
  }
  if (subject.kind === 'User' && subject.name === 'system:anonymous') {
    return 'anyone who can reach the API server without credentials';
  }
  return undefined;
}

/** Whether a subject stands for people (users, groups, everyone) rather than workloads. */
export function isPeopleSubject(subject: Subject): boolean {
  if (subject.kind !== 'User' && subject.kind !== 'Group') return false;
  if (
    subject.name === 'system:authenticated' ||
    subject.name === 'system:unauthenticated' ||
    subject.name === 'system:anonymous'
  ) {
    return true;
  }
  return !subject.name.startsWith('system:');
}

export function describeSubject(subject: Subject, bindingNamespace?: string) {
  if (subject.kind === 'ServiceAccount') {
    return `ServiceAccount ${subject.namespace ?? bindingNamespace ?? ''}/${
      subject.name
    }`;
  }
  return `${subject.kind} ${subject.name}`;
}

const WORKLOAD_CREATE = [
  { groups: [''], resources: ['pods', 'replicationcontrollers'] },
  {
    groups: ['apps'],
    resources: ['deployments', 'daemonsets', 'statefulsets', 'replicasets'],
  },
  { groups: ['batch'], resources: ['jobs', 'cronjobs'] },
];

const FULL_WRITE_VERBS = ['create', 'update', 'patch', 'delete'];

/** The rules that together grant every write verb on every resource of one API group. */
function fullWriteOn(
  rules: PolicyRule[],
  group: string,
): PolicyRule[] | undefined {
  const covering = rules.filter(
    r =>
      arr(r.resources).includes('*') &&
      hasNoNames(r) &&
      (arr(r.apiGroups).includes('*') || arr(r.apiGroups).includes(group)),
  );
  if (covering.length === 0) return undefined;
  const verbs = new Set(covering.flatMap(r => arr(r.verbs)));
  return verbs.has('*') || FULL_WRITE_VERBS.every(v => verbs.has(v))
    ? covering
    : undefined;
}

/**
 * Why a set of rules amounts to cluster-admin, or undefined: every verb on
 * every resource; every write verb on every resource of the core and apps
 * groups; or, held cluster-wide, reading every Secret plus creating
 * workloads (which run as any service account). Rules limited to named
 * objects do not count: `create` cannot be limited by name, and reading
 * named Secrets is not reading every Secret.
 */
export function adminEquivalence(
  rules: PolicyRule[],
  clusterWide: boolean,
): string | undefined {
  const all = rules.find(r => isAllWildcardRule(r) && hasNoNames(r));
  if (all) return `every verb on every resource (${describeRule(all)})`;
  const core = fullWriteOn(rules, '');
  const apps = fullWriteOn(rules, 'apps');
  if (core && apps) {
    const used = [...new Set([...core, ...apps])];
    return `every write verb on every resource of the core and apps API groups (${used
      .map(describeRule)
      .join('; ')})`;
  }
  if (!clusterWide) return undefined;
  const secrets = rules.find(r => hasNoNames(r) && ruleGrants(r, SECRET_READ));
  const create = rules.find(
    r =>
      hasNoNames(r) &&
      WORKLOAD_CREATE.some(w => ruleGrants(r, { ...w, verbs: ['create'] })),
  );
  if (secrets && create) {
    return `reading every Secret (${describeRule(
      secrets,
    )}) and creating workloads (${describeRule(create)}) cluster-wide`;
  }
  return undefined;
}

/**
 * The worst a set of rules allows, as a severity and a phrase: what a
 * binding hands to whoever it reaches.
 */
export function riskOfRules(
  rules: PolicyRule[],
  clusterWide: boolean,
): { severity: 'critical' | 'high'; what: string } | undefined {
  const admin = adminEquivalence(rules, clusterWide);
  if (admin)
    return { severity: 'critical', what: `admin-equivalent: ${admin}` };
  for (const r of rules) {
    const verb = escalationIn(r);
    if (verb && (hasNoNames(r) || verb === 'impersonate' || verb === '*')) {
      return {
        severity: 'critical',
        what: `can escalate (${verb}: ${describeRule(r)})`,
      };
    }
  }
  for (const r of rules) {
    if (ruleGrants(r, SECRET_READ) && hasNoNames(r)) {
      return { severity: 'high', what: `reads Secrets (${describeRule(r)})` };
    }
    if (ruleGrants(r, EXEC_ATTACH)) {
      return { severity: 'high', what: `exec/attach (${describeRule(r)})` };
    }
    const w = hasWildcard(r);
    if (w) {
      return { severity: 'high', what: `wildcard ${w} (${describeRule(r)})` };
    }
  }
  return undefined;
}
