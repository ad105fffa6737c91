/*
 * Install manifests written for `kubectl apply -n X` carry no namespace on
 * their namespaced objects, while their ClusterRoleBindings must name X for
 * each service account subject. Read as they are, the accounts land in
 * `default` and every binding looks dangling: the controller that will run
 * with cluster-admin passes every RBAC check. This places such a set where it
 * will run, and says so.
 */
import {
  KubeObject,
  podTemplateOf,
} from '@internal/backstage-plugin-security-guardrails-node';
import { subjectsOf } from '../engine/rbac';

const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);

export type Placement =
  | { namespace: string; notice: string }
  | { ambiguous: string[]; notice: string };

/**
 * Where objects without a namespace will run, judged by the bindings that
 * name their service accounts: one namespace moves them there (returned with
 * a notice); several leave them in place with a notice (the dangling-RBAC
 * check then reports what each binding would grant). Undefined when the
 * bindings say nothing, or agree with where the objects already are.
 */
export function placeUnnamespaced(
  objects: KubeObject[],
  unnamespaced: KubeObject[],
  currentNamespace: string,
): Placement | undefined {
  if (unnamespaced.length === 0) return undefined;
  const loose = new Set(unnamespaced);
  // Names of the service accounts the namespace-less objects define or run as.
  const names = new Set<string>();
  for (const obj of unnamespaced) {
    if (obj.kind === 'ServiceAccount') {
      names.add(obj.metadata.name);
      continue;
    }
    const spec = podTemplateOf(obj)?.spec;
    const sa = spec?.serviceAccountName || spec?.serviceAccount;
    if (typeof sa === 'string' && sa && sa !== 'default') names.add(sa);
  }
  if (names.size === 0) return undefined;
  const placed = new Set<string>();
  for (const obj of objects) {
    if (obj.kind === 'ServiceAccount' && !loose.has(obj)) {
      placed.add(`${obj.metadata.namespace}/${obj.metadata.name}`);
    }
  }
  const expected = new Map<string, string[]>();
  for (const obj of objects) {
    if (!BINDING_KINDS.has(obj.kind)) continue;
    for (const s of subjectsOf(obj)) {
      if (s.kind !== 'ServiceAccount' || !s.namespace) continue;
      if (!names.has(s.name) || placed.has(`${s.namespace}/${s.name}`)) {
        continue;
      }
      const list = expected.get(s.namespace) ?? [];
      const what = `${obj.kind}/${obj.metadata.name}`;
      if (!list.includes(what)) list.push(what);
      expected.set(s.namespace, list);
    }
  }
  const namespaces = [...expected.keys()].sort();
  if (namespaces.length === 0) return undefined;
  const count = `${unnamespaced.length} namespaced object${
    unnamespaced.length === 1 ? '' : 's'
  } carry no namespace`;
  if (namespaces.length > 1) {
    return {
      ambiguous: namespaces,
      notice: `${count}; the bindings expect their service accounts in ${namespaces
        .map(ns => `${ns} (${expected.get(ns)!.slice(0, 3).join(', ')})`)
        .join(
          ', ',
        )}, so they were evaluated in ${currentNamespace}. Give a namespace to evaluate them where they will run; maint.dangling-rbac reports what each binding would grant.`,
    };
  }
  const [namespace] = namespaces;
  if (namespace === currentNamespace) return undefined;
  const bindings = expected.get(namespace)!;
  for (const obj of unnamespaced) {
    obj.metadata.namespace = namespace;
  }
  return {
    namespace,
    notice: `${count}; they were evaluated in namespace ${namespace}, where ${bindings
      .slice(0, 3)
      .join(', ')}${bindings.length > 3 ? ' and others' : ''} expect${
      bindings.length === 1 ? 's' : ''
    } their service accounts (as \`kubectl apply -n ${namespace}\` places them). Give a namespace to evaluate them elsewhere.`,
  };
}
