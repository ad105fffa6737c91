/*
 * Where access to a service may land. Not the service's own annotations,
 * which its team writes: the platform's word on who owns each namespace
 * (a label or annotation on the Namespace object that the platform sets, or
 * `securityGuardrails.access.namespaceOwners`), intersected with where the
 * service's objects actually run. A namespace is a target when the platform
 * gives it to the service's owner (or, for a service owned by a person, to a
 * group they belong to). System namespaces are never targets unless config
 * allows them. So a catalog entity whose selector matches objects across
 * namespaces never gains targets outside its team's namespaces.
 */
import { TargetExclusion } from '@internal/backstage-plugin-security-guardrails-common';
import { KubeObject } from '@internal/backstage-plugin-security-guardrails-node';

/** Set by the platform on a Namespace: the owning group (a label holds its name; an annotation may hold a full ref). */
export const NAMESPACE_OWNER_KEY = 'security-guardrails.io/owner';

/** Never targets unless `access.allowSystemNamespaces` names them. */
export const SYSTEM_NAMESPACES = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

export interface NamespaceOwnerConfig {
  cluster: string;
  namespace: string;
  owner: string;
}

/** cluster → namespace → owner ref, config first, then the Namespace objects. */
export type NamespaceOwners = Map<string, Map<string, string>>;

function ownerRef(value: string): string {
  return value.includes(':') ? value : `group:default/${value}`;
}

export function namespaceOwners(
  namespaces: Array<{ cluster: string; object: KubeObject }>,
  configured: NamespaceOwnerConfig[],
): NamespaceOwners {
  const out: NamespaceOwners = new Map();
  const set = (cluster: string, ns: string, owner: string) => {
    let byNs = out.get(cluster);
    if (!byNs) out.set(cluster, (byNs = new Map()));
    if (!byNs.has(ns)) byNs.set(ns, owner);
  };
  for (const c of configured) set(c.cluster, c.namespace, ownerRef(c.owner));
  for (const { cluster, object } of namespaces) {
    const meta = object.metadata;
    const value =
      meta.annotations?.[NAMESPACE_OWNER_KEY] ??
      meta.labels?.[NAMESPACE_OWNER_KEY];
    if (typeof value === 'string' && value.trim())
      set(cluster, meta.name, ownerRef(value.trim()));
  }
  return out;
}

export interface TargetInput {
  entityRef: string;
  /** The entity's owner and, for a person, the groups they belong to. */
  ownerRefs: string[];
  /** Clusters and namespaces where the entity's objects are. */
  where: Array<{ cluster: string; namespaces: string[] }>;
  owners: NamespaceOwners;
  allowSystemNamespaces: string[];
  /** Clusters that can take grants (have a grant driver). */
  canGrant: (cluster: string) => boolean;
}

export function resolveTargets(input: TargetInput): {
  targets: Array<{ cluster: string; namespaces: string[] }>;
  excluded: TargetExclusion[];
} {
  const targets: Array<{ cluster: string; namespaces: string[] }> = [];
  const excluded: TargetExclusion[] = [];
  const owner = input.ownerRefs[0];
  for (const { cluster, namespaces } of input.where) {
    const allowed: string[] = [];
    for (const namespace of namespaces) {
      const no = (reason: string) =>
        excluded.push({ cluster, namespace, reason });
      if (!input.canGrant(cluster)) {
        no(`cluster ${cluster} cannot take grants (no grant driver)`);
        continue;
      }
      if (
        SYSTEM_NAMESPACES.includes(namespace) &&
        !input.allowSystemNamespaces.includes(namespace)
      ) {
        no(
          `${namespace} is a system namespace: access there is granted only if securityGuardrails.access.allowSystemNamespaces lists it`,
        );
        continue;
      }
      const nsOwner = input.owners.get(cluster)?.get(namespace);
      if (!nsOwner) {
        no(
          `the platform has not given ${namespace} an owner (the ${NAMESPACE_OWNER_KEY} label on the Namespace, or securityGuardrails.access.namespaceOwners)`,
        );
        continue;
      }
      if (!input.ownerRefs.includes(nsOwner)) {
        no(
          `${namespace} belongs to ${nsOwner}, not to ${
            owner ?? 'the owner'
          } of ${input.entityRef}`,
        );
        continue;
      }
      allowed.push(namespace);
    }
    if (allowed.length) targets.push({ cluster, namespaces: allowed.sort() });
  }
  return { targets, excluded };
}
