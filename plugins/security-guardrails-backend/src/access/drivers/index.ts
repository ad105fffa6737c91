import { ClusterConfig } from '../../config';
import { kubeConfigFor } from '../../sources/kubeConfig';
import { KubernetesGrantDriver } from './KubernetesGrantDriver';
import { ManifestsGrantDriver } from './ManifestsGrantDriver';
import { GrantDriver } from './types';

export * from './types';
export { KubernetesGrantDriver } from './KubernetesGrantDriver';
export { ManifestsGrantDriver } from './ManifestsGrantDriver';

/**
 * A grant driver for every cluster that can take grants: live clusters, and
 * manifests clusters with a grantsDirectory.
 */
export function createGrantDrivers(
  clusters: ClusterConfig[],
): Map<string, GrantDriver> {
  const drivers = new Map<string, GrantDriver>();
  for (const cluster of clusters) {
    if (cluster.type === 'kubernetes') {
      drivers.set(
        cluster.name,
        KubernetesGrantDriver.create({
          cluster: cluster.name,
          kubeConfig: kubeConfigFor(cluster),
        }),
      );
    } else if (cluster.grantsDirectory) {
      drivers.set(
        cluster.name,
        ManifestsGrantDriver.create({
          cluster: cluster.name,
          directory: cluster.grantsDirectory,
        }),
      );
    }
  }
  return drivers;
}
