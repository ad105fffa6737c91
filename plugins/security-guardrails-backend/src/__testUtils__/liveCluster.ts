/*
 * A live-cluster source for the fake Kubernetes API: its KubeConfig (no
 * credentials, plain HTTP on loopback) and a lister that retries at once.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { kubeConfigFor } from '../sources/kubeConfig';
import { KubernetesHttp } from '../sources/kubernetesHttp';
import { KubernetesSource } from '../sources/KubernetesSource';
import { FakeKubernetesApi } from './fakeKubernetesApi';

export function liveSource(
  api: FakeKubernetesApi,
  cluster = 'live',
): { kubeConfig: KubeConfig; source: KubernetesSource } {
  const kubeConfig = kubeConfigFor({
    type: 'kubernetes',
    name: cluster,
    url: api.url,
    authProvider: 'none',
    skipTLSVerify: true, // the fake API speaks plain HTTP on loopback
  });
  const source = KubernetesSource.create({
    cluster,
    http: new KubernetesHttp(kubeConfig, { sleep: async () => {} }),
  });
  return { kubeConfig, source };
}
