/*
 * Grants on a live cluster through @kubernetes/client-node's RBAC API.
 * - create: 201 is done; 409 is done only when the existing binding has the
 *   same roleRef and subjects (a retry after a crash), otherwise a conflict.
 * - delete: with a UID precondition, so a binding someone re-created under
 *   the same name is never removed by mistake; 404 is done.
 * The backend's service account needs create/delete/get/list/update on
 * rolebindings and `bind` on the grantable ClusterRoles only (see deploy/).
 */
import {
  ApiException,
  KubeConfig,
  RbacAuthorizationV1Api,
  V1RoleBinding,
} from '@kubernetes/client-node';
import {
  AppliedBinding,
  GRANT_ANNOTATIONS,
  GRANT_LABELS,
  GRANT_MANAGED_BY_VALUE,
} from '@internal/backstage-plugin-security-guardrails-common';
import { roleBindingFor, sameGrant } from './roleBinding';
import {
  GrantConflictError,
  GrantDriver,
  GrantSpec,
  ManagedBinding,
} from './types';

function statusOf(e: unknown): number | undefined {
  return e instanceof ApiException ? e.code : (e as { code?: number })?.code;
}

function describe(e: unknown): string {
  if (e instanceof ApiException) {
    let message = '';
    try {
      message = JSON.parse(String(e.body))?.message ?? '';
    } catch {
      message = String(e.body ?? '');
    }
    return `HTTP ${e.code}${message ? `: ${message}` : ''}`;
  }
  return (e as Error)?.message ?? String(e);
}

export class KubernetesGrantDriver implements GrantDriver {
  readonly cluster: string;
  readonly #api: RbacAuthorizationV1Api;

  static create(options: { cluster: string; kubeConfig: KubeConfig }) {
    return new KubernetesGrantDriver(
      options.cluster,
      options.kubeConfig.makeApiClient(RbacAuthorizationV1Api),
    );
  }

  private constructor(cluster: string, api: RbacAuthorizationV1Api) {
    this.cluster = cluster;
    this.#api = api;
  }

  async apply(grant: GrantSpec): Promise<AppliedBinding[]> {
    const applied: AppliedBinding[] = [];
    for (const namespace of grant.namespaces) {
      const body = roleBindingFor(grant, namespace);
      try {
        const created = await this.#api.createNamespacedRoleBinding({
          namespace,
          body: body as V1RoleBinding,
        });
        applied.push({
          cluster: this.cluster,
          namespace,
          name: body.metadata.name,
          uid: created.metadata?.uid,
        });
      } catch (e) {
        if (statusOf(e) !== 409) {
          throw new Error(
            `creating RoleBinding ${namespace}/${
              body.metadata.name
            }: ${describe(e)}`,
          );
        }
        const existing = await this.#api.readNamespacedRoleBinding({
          name: body.metadata.name,
          namespace,
        });
        if (!sameGrant(existing, body)) {
          throw new GrantConflictError(
            `RoleBinding ${namespace}/${body.metadata.name} already exists with a different roleRef or subjects; it was not changed`,
          );
        }
        applied.push({
          cluster: this.cluster,
          namespace,
          name: body.metadata.name,
          uid: existing.metadata?.uid,
        });
      }
    }
    return applied;
  }

  async revoke(grantId: string, bindings: AppliedBinding[]): Promise<void> {
    for (const b of bindings) {
      try {
        await this.#api.deleteNamespacedRoleBinding({
          name: b.name,
          namespace: b.namespace,
          body: b.uid ? { preconditions: { uid: b.uid } } : {},
        });
      } catch (e) {
        const status = statusOf(e);
        if (status === 404) continue; // already gone
        if (status === 409) {
          // The name now belongs to another object: remove it only if it is this grant's.
          const current = await this.#readIfExists(b);
          if (!current) continue;
          const labels = current.metadata?.labels ?? {};
          const ours =
            labels[GRANT_LABELS.managedBy] === GRANT_MANAGED_BY_VALUE &&
            labels[GRANT_LABELS.grantId] === grantId;
          if (!ours) {
            throw new GrantConflictError(
              `RoleBinding ${b.namespace}/${b.name} was replaced by an object this grant does not own; it was left in place`,
            );
          }
          await this.#api.deleteNamespacedRoleBinding({
            name: b.name,
            namespace: b.namespace,
            body: { preconditions: { uid: current.metadata?.uid } },
          });
          continue;
        }
        throw new Error(
          `deleting RoleBinding ${b.namespace}/${b.name}: ${describe(e)}`,
        );
      }
    }
  }

  async #readIfExists(b: AppliedBinding): Promise<V1RoleBinding | undefined> {
    try {
      return await this.#api.readNamespacedRoleBinding({
        name: b.name,
        namespace: b.namespace,
      });
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  async updateExpiry(
    grant: GrantSpec,
    bindings: AppliedBinding[],
  ): Promise<AppliedBinding[]> {
    const out: AppliedBinding[] = [];
    for (const b of bindings) {
      const current = await this.#readIfExists(b);
      if (!current) {
        // Gone (deleted by hand?): put it back with the new expiry.
        out.push(
          ...(await this.apply({ ...grant, namespaces: [b.namespace] })),
        );
        continue;
      }
      current.metadata = {
        ...current.metadata,
        annotations: {
          ...current.metadata?.annotations,
          [GRANT_ANNOTATIONS.expiresAt]: grant.expiresAt,
        },
      };
      const replaced = await this.#api.replaceNamespacedRoleBinding({
        name: b.name,
        namespace: b.namespace,
        body: current,
      });
      out.push({ ...b, uid: replaced.metadata?.uid ?? b.uid });
    }
    return out;
  }

  async listManaged(): Promise<ManagedBinding[]> {
    const out: ManagedBinding[] = [];
    let token: string | undefined;
    do {
      const page = await this.#api.listRoleBindingForAllNamespaces({
        labelSelector: `${GRANT_LABELS.managedBy}=${GRANT_MANAGED_BY_VALUE}`,
        limit: 500,
        _continue: token,
      });
      for (const item of page.items) {
        out.push({
          cluster: this.cluster,
          namespace: item.metadata?.namespace ?? '',
          name: item.metadata?.name ?? '',
          uid: item.metadata?.uid,
          grantId: item.metadata?.labels?.[GRANT_LABELS.grantId],
        });
      }
      token = page.metadata?._continue || undefined;
    } while (token);
    return out;
  }
}
