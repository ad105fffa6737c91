/*
 * The backend's connection to one live cluster, from its config.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { KubernetesClusterConfig } from '../config';

/** A KubeConfig for one cluster: the API server, TLS and the backend's identity. */
export function kubeConfigFor(cluster: KubernetesClusterConfig): KubeConfig {
  const kc = new KubeConfig();
  switch (cluster.authProvider) {
    case 'inCluster':
      kc.loadFromCluster();
      return kc;
    case 'kubeconfig':
      if (cluster.kubeconfigPath) kc.loadFromFile(cluster.kubeconfigPath);
      else kc.loadFromDefault();
      if (cluster.kubeconfigContext)
        kc.setCurrentContext(cluster.kubeconfigContext);
      return kc;
    default: {
      const user =
        cluster.authProvider === 'serviceAccount'
          ? { name: 'security-guardrails', token: cluster.serviceAccountToken }
          : { name: 'security-guardrails' };
      kc.loadFromOptions({
        clusters: [
          {
            name: cluster.name,
            server: cluster.url,
            caData: cluster.caData,
            caFile: cluster.caFile,
            skipTLSVerify: cluster.skipTLSVerify ?? false,
          },
        ],
        users: [user],
        contexts: [
          { name: cluster.name, cluster: cluster.name, user: user.name },
        ],
        currentContext: cluster.name,
      });
      return kc;
    }
  }
}
