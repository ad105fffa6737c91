/*
 * RBAC helpers: rules, role references, and the default user-facing roles for
 * states (manifest directories) that do not contain them.
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
      ],
      verbs: [
        'create',
        'delete',
        'deletecollection',
        'get',
        'list',
        'patch',
        'update',
        'watch',
      ],
    },
    { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['rolebindings', 'roles'],
      verbs: [
        'create',
        'delete',
        'deletecollection',
        'get',
        'list',
        'patch',
        'update',
        'watch',
      ],
    },
  ],
  edit: [
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
      ],
      verbs: [
        'create',
        'delete',
        'deletecollection',
        'get',
        'list',
        'patch',
        'update',
        'watch',
      ],
    },
    { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
    {
      apiGroups: ['apps'],
      resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
      verbs: [
        'create',
        'delete',
        'deletecollection',
        'get',
        'list',
        'patch',
        'update',
        'watch',
      ],
    },
  ],
  view: [
    {
      apiGroups: [''],
      resources: [
        'configmaps',
        'pods',
        'services',
        'endpoints',
        'serviceaccounts',
      ],
      verbs: READ_VERBS,
    },
    {
      apiGroups: ['apps'],
      resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
      verbs: READ_VERBS,
    },
  ],
};

/** Built-in roles: the defaults above and everything named `system:...`. */
export function isBuiltinClusterRole(name: string): boolean {
  return name.startsWith('system:') || name in DEFAULT_CLUSTER_ROLE_RULES;
}

function arr(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : [];
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
