import { ClusterConfig } from '../config';
import { kubeConfigFor } from './kubeConfig';
import { KubernetesHttp } from './kubernetesHttp';
import { KubernetesSource } from './KubernetesSource';
import { ManifestsSource } from './ManifestsSource';
import { ClusterStateSource } from '@internal/backstage-plugin-security-guardrails-node';

export * from '@internal/backstage-plugin-security-guardrails-node';
export { kubeConfigFor } from './kubeConfig';
export { ManifestsSource, listManifestFiles } from './ManifestsSource';
export { KubernetesSource, KINDS, listPath } from './KubernetesSource';
export type { KindDefinition } from './KubernetesSource';
export { KubernetesHttp, KubernetesApiError } from './kubernetesHttp';
export { parseManifests, parseJsonManifest } from './parseManifests';

/** A source for each configured cluster. */
export function createSources(clusters: ClusterConfig[]): ClusterStateSource[] {
  return clusters.map(cluster => {
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
    return KubernetesSource.create({
      cluster: cluster.name,
      http: new KubernetesHttp(kubeConfigFor(cluster), {
        timeoutMs: cluster.requestTimeoutMs,
      }),
      pageSize: cluster.pageSize,
      concurrency: cluster.concurrency,
    });
  });
}
