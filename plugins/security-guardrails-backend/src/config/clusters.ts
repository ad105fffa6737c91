/*
 * Cluster configuration: `securityGuardrails.clusters`, and the clusters the
 * Backstage Kubernetes plugin already knows (`kubernetes.clusterLocatorMethods`
 * of type `config`), so users configure clusters once.
 */
import path from 'node:path';
import { Config } from '@backstage/config';

export interface ManifestsClusterConfig {
  type: 'manifests';
  name: string;
  /** Directories or files read recursively as this cluster's objects. */
  paths: string[];
  defaultNamespace?: string;
  /** Where the manifests grant driver writes RoleBindings (read as part of the cluster). */
  grantsDirectory?: string;
}

export interface KubernetesClusterConfig {
  type: 'kubernetes';
  name: string;
  url?: string;
  authProvider: 'serviceAccount' | 'kubeconfig' | 'inCluster' | 'none';
  serviceAccountToken?: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify?: boolean;
  kubeconfigPath?: string;
  kubeconfigContext?: string;
  /** Per-request timeout (default 15 s). */
  requestTimeoutMs?: number;
  /** Items per list page (default 500). */
  pageSize?: number;
  /** Kinds listed at once (default 4). */
  concurrency?: number;
  /** Follow the cluster with watches (default true). */
  watch?: boolean;
  /** How long one replica holds the cluster's watch per lease, in seconds (default 150). */
  watchLeaseSeconds?: number;
}

export type ClusterConfig = ManifestsClusterConfig | KubernetesClusterConfig;

export interface ClusterConfigWarning {
  message: string;
}

const NAME = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;

function resolvePath(p: string, base: string): string {
  return path.isAbsolute(p) ? p : path.resolve(base, p);
}

function readKubernetesCluster(
  c: Config,
  name: string,
): KubernetesClusterConfig {
  const authProvider = (c.getOptionalString('authProvider') ??
    'serviceAccount') as KubernetesClusterConfig['authProvider'];
  if (
    !['serviceAccount', 'kubeconfig', 'inCluster', 'none'].includes(
      authProvider,
    )
  ) {
    throw new Error(
      `cluster '${name}': authProvider must be serviceAccount, kubeconfig, inCluster or none, not '${authProvider}'`,
    );
  }
  const url = c.getOptionalString('url');
  if ((authProvider === 'serviceAccount' || authProvider === 'none') && !url) {
    throw new Error(
      `cluster '${name}': url is required with authProvider ${authProvider}`,
    );
  }
  if (
    authProvider === 'serviceAccount' &&
    !c.getOptionalString('serviceAccountToken')
  ) {
    throw new Error(
      `cluster '${name}': serviceAccountToken is required with authProvider serviceAccount`,
    );
  }
  return {
    type: 'kubernetes',
    name,
    url,
    authProvider,
    serviceAccountToken: c.getOptionalString('serviceAccountToken'),
    caData: c.getOptionalString('caData'),
    caFile: c.getOptionalString('caFile'),
    skipTLSVerify: c.getOptionalBoolean('skipTLSVerify'),
    kubeconfigPath: c.getOptionalString('kubeconfigPath'),
    kubeconfigContext: c.getOptionalString('kubeconfigContext'),
    requestTimeoutMs: c.getOptionalNumber('requestTimeoutMs'),
    pageSize: c.getOptionalNumber('pageSize'),
    concurrency: c.getOptionalNumber('concurrency'),
    watch: c.getOptionalBoolean('watch') ?? true,
    watchLeaseSeconds: leaseSeconds(c, name),
  };
}

function leaseSeconds(c: Config, name: string): number {
  const seconds = c.getOptionalNumber('watchLeaseSeconds') ?? 150;
  if (!Number.isFinite(seconds) || seconds < 10 || seconds > 3600) {
    throw new Error(
      `cluster '${name}': watchLeaseSeconds must be between 10 and 3600, not ${seconds}`,
    );
  }
  return seconds;
}

/**
 * Reads the configured clusters. Relative paths are resolved against
 * `baseDir` (the backend's working directory, as for catalog file locations).
 */
export function readClusterConfigs(
  config: Config,
  baseDir: string = process.cwd(),
): { clusters: ClusterConfig[]; warnings: ClusterConfigWarning[] } {
  const clusters: ClusterConfig[] = [];
  const warnings: ClusterConfigWarning[] = [];
  const seen = new Set<string>();
  const add = (cluster: ClusterConfig) => {
    if (seen.has(cluster.name)) {
      throw new Error(`cluster '${cluster.name}' is configured twice`);
    }
    seen.add(cluster.name);
    clusters.push(cluster);
  };

  for (const c of config.getOptionalConfigArray(
    'securityGuardrails.clusters',
  ) ?? []) {
    const name = c.getString('name');
    if (!NAME.test(name)) {
      throw new Error(
        `cluster name '${name}' must be lower-case letters, digits, '.', '_' or '-' (at most 63)`,
      );
    }
    const type = c.getOptionalString('type') ?? 'kubernetes';
    if (type === 'manifests') {
      const paths = c.getStringArray('paths').map(p => resolvePath(p, baseDir));
      if (paths.length === 0)
        throw new Error(
          `cluster '${name}': paths must name at least one directory`,
        );
      const grants = c.getOptionalString('grantsDirectory');
      add({
        type: 'manifests',
        name,
        paths,
        defaultNamespace: c.getOptionalString('defaultNamespace'),
        grantsDirectory: grants ? resolvePath(grants, baseDir) : undefined,
      });
    } else if (type === 'kubernetes') {
      add(readKubernetesCluster(c, name));
    } else {
      throw new Error(
        `cluster '${name}': type must be manifests or kubernetes, not '${type}'`,
      );
    }
  }

  if (
    config.getOptionalBoolean('securityGuardrails.useKubernetesPluginClusters')
  ) {
    for (const method of config.getOptionalConfigArray(
      'kubernetes.clusterLocatorMethods',
    ) ?? []) {
      const type = method.getString('type');
      if (type !== 'config') {
        warnings.push({
          message: `kubernetes.clusterLocatorMethods of type '${type}' are not read; only 'config'`,
        });
        continue;
      }
      for (const c of method.getOptionalConfigArray('clusters') ?? []) {
        const name = c.getString('name');
        const authProvider =
          c.getOptionalString('authProvider') ?? 'serviceAccount';
        if (authProvider !== 'serviceAccount') {
          warnings.push({
            message: `cluster '${name}' from the Kubernetes plugin uses authProvider '${authProvider}', which needs a user's token; configure it under securityGuardrails.clusters with a service account instead`,
          });
          continue;
        }
        if (seen.has(name)) continue; // explicitly configured wins
        add(readKubernetesCluster(c, name));
      }
    }
  }
  return { clusters, warnings };
}
