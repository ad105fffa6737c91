/*
 * Reads a live cluster through the Kubernetes API: every kind the checks use,
 * listed across namespaces with pagination. Secrets are never listed.
 */
import { ClusterSnapshot, KubeObject, SourceError } from '../engine';
import { KubernetesApiError, KubernetesHttp } from './kubernetesHttp';
import { withoutUnread } from './parseManifests';
import { ClusterStateSource } from '@internal/backstage-plugin-security-guardrails-node';

export interface KindDefinition {
  kind: string;
  apiVersion: string;
  /** Resource name in the URL path. */
  plural: string;
  /** Core kinds must be read for a snapshot to be complete; optional ones (CRDs) may be absent. */
  optional?: boolean;
}

/**
 * An object from the API as it is held for evaluation: kind and apiVersion
 * restored from the listing (list items and watch events may omit them), and
 * without what no check reads (`withoutUnread`). `resourceVersion` stays:
 * watches resume from it.
 */
export function heldObject(
  raw: Record<string, any>,
  def: Pick<KindDefinition, 'kind' | 'apiVersion'>,
): KubeObject {
  const held = withoutUnread(raw);
  return {
    ...held,
    metadata: held.metadata ?? {},
    kind: def.kind,
    apiVersion: def.apiVersion,
  } as KubeObject;
}

/** What the engine reads. There is deliberately no Secret here. */
export const KINDS: KindDefinition[] = [
  { kind: 'Namespace', apiVersion: 'v1', plural: 'namespaces' },
  { kind: 'Pod', apiVersion: 'v1', plural: 'pods' },
  { kind: 'Service', apiVersion: 'v1', plural: 'services' },
  { kind: 'ServiceAccount', apiVersion: 'v1', plural: 'serviceaccounts' },
  // Optional: a cluster may withhold ConfigMap reads (secret.configmap then has nothing to inspect).
  { kind: 'ConfigMap', apiVersion: 'v1', plural: 'configmaps', optional: true },
  { kind: 'Deployment', apiVersion: 'apps/v1', plural: 'deployments' },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', plural: 'statefulsets' },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', plural: 'daemonsets' },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', plural: 'replicasets' },
  { kind: 'Job', apiVersion: 'batch/v1', plural: 'jobs' },
  { kind: 'CronJob', apiVersion: 'batch/v1', plural: 'cronjobs' },
  { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', plural: 'ingresses' },
  {
    kind: 'NetworkPolicy',
    apiVersion: 'networking.k8s.io/v1',
    plural: 'networkpolicies',
  },
  { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', plural: 'roles' },
  {
    kind: 'ClusterRole',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    plural: 'clusterroles',
  },
  {
    kind: 'RoleBinding',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    plural: 'rolebindings',
  },
  {
    kind: 'ClusterRoleBinding',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    plural: 'clusterrolebindings',
  },
  {
    kind: 'PodDisruptionBudget',
    apiVersion: 'policy/v1',
    plural: 'poddisruptionbudgets',
  },
  {
    kind: 'HorizontalPodAutoscaler',
    apiVersion: 'autoscaling/v2',
    plural: 'horizontalpodautoscalers',
  },
  {
    kind: 'VulnerabilityReport',
    apiVersion: 'aquasecurity.github.io/v1alpha1',
    plural: 'vulnerabilityreports',
    optional: true,
  },
  {
    kind: 'PolicyReport',
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    plural: 'policyreports',
    optional: true,
  },
  {
    kind: 'ClusterPolicyReport',
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    plural: 'clusterpolicyreports',
    optional: true,
  },
  {
    kind: 'ServiceMonitor',
    apiVersion: 'monitoring.coreos.com/v1',
    plural: 'servicemonitors',
    optional: true,
  },
  {
    kind: 'PodMonitor',
    apiVersion: 'monitoring.coreos.com/v1',
    plural: 'podmonitors',
    optional: true,
  },
];

export function listPath(def: KindDefinition): string {
  return def.apiVersion === 'v1'
    ? `/api/v1/${def.plural}`
    : `/apis/${def.apiVersion}/${def.plural}`;
}

export interface KubernetesSourceOptions {
  cluster: string;
  http: KubernetesHttp;
  pageSize?: number;
  concurrency?: number;
  /** Restarts of a listing after its continue token expired (410 Gone). */
  maxListRestarts?: number;
  kinds?: KindDefinition[];
}

interface ListResponse {
  metadata?: { continue?: string; resourceVersion?: string };
  items?: Array<Record<string, any>>;
}

export class KubernetesSource implements ClusterStateSource {
  readonly cluster: string;
  readonly #http: KubernetesHttp;
  readonly #pageSize: number;
  readonly #concurrency: number;
  readonly #maxRestarts: number;
  readonly #kinds: KindDefinition[];

  static create(options: KubernetesSourceOptions) {
    return new KubernetesSource(options);
  }

  private constructor(options: KubernetesSourceOptions) {
    this.cluster = options.cluster;
    this.#http = options.http;
    this.#pageSize = options.pageSize ?? 500;
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
    this.#maxRestarts = options.maxListRestarts ?? 3;
    this.#kinds = options.kinds ?? KINDS;
  }

  /** Every object of a kind, following `continue` tokens; restarts when a token expires. */
  async listAll(def: KindDefinition): Promise<KubeObject[]> {
    return (await this.list(def)).items;
  }

  /**
   * Every object of a kind and the list's resourceVersion (the first page's:
   * the pages of one listing are one consistent snapshot), from which a
   * watch continues.
   */
  async list(
    def: KindDefinition,
  ): Promise<{ items: KubeObject[]; resourceVersion?: string }> {
    let restarts = 0;
    for (;;) {
      const items: KubeObject[] = [];
      let token: string | undefined;
      let resourceVersion: string | undefined;
      try {
        do {
          const query = new URLSearchParams({ limit: String(this.#pageSize) });
          if (token) query.set('continue', token);
          const page = await this.#http.jsonWithRetry<ListResponse>(
            'GET',
            `${listPath(def)}?${query}`,
          );
          if (!page || !Array.isArray(page.items)) {
            throw new KubernetesApiError(
              `${listPath(def)}: the answer has no items`,
              undefined,
            );
          }
          for (const item of page.items) {
            if (!item || typeof item !== 'object' || !item.metadata?.name)
              continue;
            items.push(heldObject(item, def));
          }
          resourceVersion ??= page.metadata?.resourceVersion || undefined;
          token = page.metadata?.continue || undefined;
        } while (token);
        return { items, resourceVersion };
      } catch (e) {
        const expired = e instanceof KubernetesApiError && e.status === 410;
        if (expired && restarts < this.#maxRestarts) {
          restarts++;
          continue; // the snapshot moved on: list again from the start
        }
        throw e;
      }
    }
  }

  async read(): Promise<ClusterSnapshot> {
    const objects: KubeObject[] = [];
    const errors: SourceError[] = [];
    let coreFailures = 0;
    let coreSuccesses = 0;
    const queue = [...this.#kinds];
    const results = new Map<KindDefinition, KubeObject[]>();

    const worker = async () => {
      for (let def = queue.shift(); def; def = queue.shift()) {
        try {
          results.set(def, await this.listAll(def));
          if (!def.optional) coreSuccesses++;
        } catch (e) {
          const status = e instanceof KubernetesApiError ? e.status : undefined;
          if (def.optional && status === 404) continue; // the CRD is not installed
          const message = `listing ${def.kind}: ${(e as Error).message}`;
          errors.push({ kind: def.kind, message });
          if (!def.optional) coreFailures++;
        }
      }
    };
    await Promise.all(Array.from({ length: this.#concurrency }, worker));
    // Keep the order of KINDS so results are deterministic.
    for (const def of this.#kinds) {
      // One by one: spread into a call, a kind of 150,000 objects (the Pods
      // of a large cluster) overflows the stack.
      for (const obj of results.get(def) ?? []) objects.push(obj);
    }
    let status: ClusterSnapshot['status'] = 'ok';
    if (coreFailures > 0) status = 'unreachable';
    else if (errors.length > 0) status = 'partial';
    return {
      cluster: this.cluster,
      readAt:
        coreSuccesses > 0 && coreFailures === 0
          ? new Date().toISOString()
          : null,
      status,
      objects: coreFailures > 0 ? [] : objects,
      errors,
    };
  }
}
