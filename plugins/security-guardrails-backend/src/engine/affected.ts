/*
 * Which entities a set of cluster changes can change the posture of, so a
 * watched cluster re-evaluates those and not everything. The unit is the
 * namespace: a check of a workload reads its own namespace (its Services,
 * NetworkPolicies, PodDisruptionBudgets, autoscalers, Roles, reports,
 * monitors) and, through RBAC, the bindings that reach its service account
 * from anywhere. So a change touches:
 * - the entities its object maps to, before and after the change;
 * - every entity with objects in its namespace;
 * - for a binding, the namespaces of the service accounts it names (and all
 *   of them when it names every account: `system:serviceaccounts`,
 *   `system:authenticated`, `system:unauthenticated`, `system:anonymous`);
 * - for a Role or ClusterRole, what the bindings that refer to it reach;
 * - for a monitor with a `namespaceSelector`, the namespaces it selects;
 * - for a Namespace, the namespace it is.
 * What cannot be narrowed (a ClusterPolicyReport, an unknown cluster-scoped
 * kind, a monitor selecting any namespace) re-evaluates the whole cluster.
 * One pass over the cluster's objects per batch of changes: linear.
 */
import {
  KubeObject,
  podTemplateOf,
} from '@internal/backstage-plugin-security-guardrails-node';
import { isClusterScoped } from './kinds';
import { EntityMapper } from './mapping';

/** One object that appeared, changed or went away. */
export interface ObjectChange {
  kind: string;
  before?: KubeObject;
  after?: KubeObject;
}

/** What a batch of changes reaches, before it is resolved to entities. */
export interface ChangeScope {
  all: boolean;
  namespaces: Set<string>;
  /** Roles (namespace/name) and ClusterRoles (/name) changed: resolved through bindings. */
  roles: Set<string>;
  /** Entities the changed objects map to, before or after. */
  entities: Set<string>;
}

export function emptyChangeScope(): ChangeScope {
  return {
    all: false,
    namespaces: new Set(),
    roles: new Set(),
    entities: new Set(),
  };
}

const EVERY_ACCOUNT = new Set([
  'Group/system:serviceaccounts',
  'Group/system:authenticated',
  'Group/system:unauthenticated',
  'User/system:anonymous',
]);

type Subject = { kind?: string; name?: string; namespace?: string };

/** Namespaces whose service accounts a binding names; 'all' when it names every account. */
function subjectNamespaces(binding: KubeObject): string[] | 'all' {
  const out: string[] = [];
  const subjects = (binding as { subjects?: Subject[] }).subjects;
  for (const s of Array.isArray(subjects) ? subjects : []) {
    const name = s?.name ?? '';
    if (EVERY_ACCOUNT.has(`${s?.kind}/${name}`)) return 'all';
    if (s?.kind === 'ServiceAccount') {
      const ns = s.namespace || binding.metadata.namespace;
      if (ns) out.push(ns);
    } else if (
      s?.kind === 'Group' &&
      name.startsWith('system:serviceaccounts:')
    ) {
      out.push(name.slice('system:serviceaccounts:'.length));
    } else if (
      s?.kind === 'User' &&
      name.startsWith('system:serviceaccount:')
    ) {
      out.push(name.split(':')[2]);
    }
  }
  return out;
}

function entitiesOf(obj: KubeObject, mapper: EntityMapper): string[] {
  return mapper.entitiesFor(
    obj.metadata.namespace,
    obj.metadata.labels,
    // A workload's pod template labels, as the evaluation maps workloads.
    podTemplateOf(obj)?.metadata?.labels,
  );
}

function roleKey(kind: string, namespace: string | undefined, name: string) {
  return kind === 'Role' ? `${namespace}/${name}` : `/${name}`;
}

/** Adds what one change reaches to `scope`. */
export function addChange(
  scope: ChangeScope,
  change: ObjectChange,
  mapper: EntityMapper,
): void {
  for (const obj of [change.before, change.after]) {
    if (!obj) continue;
    for (const ref of entitiesOf(obj, mapper)) scope.entities.add(ref);
    const kind = change.kind;
    if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
      const reached = subjectNamespaces(obj);
      if (reached === 'all') scope.all = true;
      else reached.forEach(ns => scope.namespaces.add(ns));
    }
    if (kind === 'Role' || kind === 'ClusterRole') {
      scope.roles.add(roleKey(kind, obj.metadata.namespace, obj.metadata.name));
    }
    if (kind === 'ServiceMonitor' || kind === 'PodMonitor') {
      const selector = (obj as { spec?: any }).spec?.namespaceSelector;
      if (selector?.any === true) scope.all = true;
      for (const ns of Array.isArray(selector?.matchNames)
        ? selector.matchNames
        : []) {
        if (typeof ns === 'string') scope.namespaces.add(ns);
      }
    }
    if (kind === 'Namespace') {
      scope.namespaces.add(obj.metadata.name);
    } else if (!isClusterScoped(kind)) {
      scope.namespaces.add(obj.metadata.namespace ?? 'default');
    } else if (kind !== 'ClusterRole' && kind !== 'ClusterRoleBinding') {
      scope.all = true; // a cluster-wide report or a kind not known here
    }
  }
}

/**
 * The entities a scope reaches in a cluster's objects, or 'all'. Bindings
 * that refer to a changed role add the namespaces they reach first.
 */
export function affectedEntities(
  objects: KubeObject[],
  scope: ChangeScope,
  mapper: EntityMapper,
): Set<string> | 'all' {
  if (scope.all) return 'all';
  const namespaces = new Set(scope.namespaces);
  if (scope.roles.size > 0) {
    for (const obj of objects) {
      if (obj.kind !== 'RoleBinding' && obj.kind !== 'ClusterRoleBinding')
        continue;
      const ref = (obj as { roleRef?: { kind?: string; name?: string } })
        .roleRef;
      if (!ref?.name || !ref.kind) continue;
      const key = roleKey(ref.kind, obj.metadata.namespace, ref.name);
      if (!scope.roles.has(key)) continue;
      const reached = subjectNamespaces(obj);
      if (reached === 'all') return 'all';
      reached.forEach(ns => namespaces.add(ns));
      if (obj.metadata.namespace) namespaces.add(obj.metadata.namespace);
    }
  }
  const out = new Set(scope.entities);
  for (const obj of objects) {
    if (isClusterScoped(obj.kind)) continue;
    if (!namespaces.has(obj.metadata.namespace ?? 'default')) continue;
    for (const ref of entitiesOf(obj, mapper)) out.add(ref);
  }
  return out;
}
