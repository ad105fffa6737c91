import { LoggerService } from '@backstage/backend-plugin-api';
import { ClusterConfig } from '../config';
import { kubeConfigFor } from './kubeConfig';
import { KubernetesHttp } from './kubernetesHttp';
import { KubernetesSource } from './KubernetesSource';
import { ManifestsSource } from './ManifestsSource';
import { ClusterWatch, WatchedSource } from './ClusterWatch';
import { ClusterStateSource } from '@internal/backstage-plugin-security-guardrails-node';

export * from '@internal/backstage-plugin-security-guardrails-node';
export { kubeConfigFor } from './kubeConfig';
export { ManifestsSource, listManifestFiles } from './ManifestsSource';
export { KubernetesSource, KINDS, listPath } from './KubernetesSource';
export type { KindDefinition } from './KubernetesSource';
export { KubernetesHttp, KubernetesApiError } from './kubernetesHttp';
export { ClusterWatch, WatchedSource } from './ClusterWatch';
export { parseManifests, parseJsonManifest } from './parseManifests';

/** A live cluster followed by watches, and how long one replica holds it per lease. */
export interface WatchedCluster {
  watch: ClusterWatch;
  leaseSeconds: number;
}

/**
 * A source for each configured cluster; a live cluster followed by watches
 * (unless `watch: false`) reads from its watch while this replica holds it,
 * and is among the `watches`.
 */
export function createSources(
  clusters: ClusterConfig[],
  logger: LoggerService,
): { sources: ClusterStateSource[]; watches: WatchedCluster[] } {
  const watches: WatchedCluster[] = [];
  const sources = clusters.map(cluster => {
    if (cluster.type === 'manifests') {
      const paths = [...cluster.paths];
      if (cluster.grantsDirectory) paths.push(cluster.grantsDirectory);
      return ManifestsSource.create({
        cluster: cluster.name,
        paths,
        optionalPaths: cluster.grantsDirectory ? [cluster.grantsDirectory] : [],
        defaultNamespace: cluster.defaultNamespace,
      });
    }
    const kubeConfig = kubeConfigFor(cluster);
    const source = KubernetesSource.create({
      cluster: cluster.name,
      http: new KubernetesHttp(kubeConfig, {
        timeoutMs: cluster.requestTimeoutMs,
      }),
      pageSize: cluster.pageSize,
      concurrency: cluster.concurrency,
    });
    if (cluster.watch === false) return source;
    const watch = new ClusterWatch({
      cluster: cluster.name,
      source,
      kubeConfig,
      logger,
    });
    watches.push({ watch, leaseSeconds: cluster.watchLeaseSeconds ?? 150 });
    return new WatchedSource(watch, source);
  });
  return { sources, watches };
}
