/*
 * Kubernetes semantics the messages must be true to: defaulted requests,
 * ReplicationControllers as replicated workloads.
 */
import { requests } from './resources';
import { pdb, replicas, spread } from './response';
import {
  deployment,
  hardenedContainer,
  hardenedPodSpec,
  object,
  runCheck,
} from '../../__testUtils__/builders';

const D = { kind: 'Deployment', name: 'app' };

describe('res.requests', () => {
  const withResources = (resources: Record<string, unknown>) =>
    deployment({
      podSpec: hardenedPodSpec({
        containers: [hardenedContainer('app', { resources })],
      }),
    });
  const resultOf = (resources: Record<string, unknown>) =>
    runCheck(requests, [withResources(resources)]).find(
      r => r.resource.kind === D.kind,
    )!;

  it('counts limits as requests, since Kubernetes defaults a missing request to its limit', () => {
    const r = resultOf({ limits: { cpu: '500m', memory: '256Mi' } });
    expect(r.status).toBe('pass');
    expect(r.message).toContain('from their limits');
    const mixed = resultOf({
      requests: { cpu: '100m' },
      limits: { memory: '256Mi' },
    });
    expect(mixed.status).toBe('pass');
    expect(mixed.message).toContain('memory from its limit');
  });

  it('fails what neither a request nor a limit sets, and says only that', () => {
    const r = resultOf({ limits: { memory: '256Mi' } });
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/^Missing cpu request/);
    expect(resultOf({}).message).toBe('Missing cpu and memory request.');
  });
});

describe('ReplicationControllers are replicated workloads', () => {
  const labels = { 'app.kubernetes.io/name': 'legacy' };
  const rc = (n: number) =>
    object('ReplicationController', 'legacy', {
      spec: {
        replicas: n,
        selector: labels,
        template: {
          metadata: { labels },
          spec: hardenedPodSpec({ containers: [hardenedContainer('app')] }),
        },
      },
    });
  const RC = { kind: 'ReplicationController', name: 'legacy' };
  const statusOf = (
    check: typeof replicas,
    objs: ReturnType<typeof object>[],
  ) =>
    runCheck(check, objs)
      .filter(r => r.resource.kind === RC.kind && r.resource.name === RC.name)
      .map(r => r.status);

  it('asks them for replicas, a budget and spread like Deployments', () => {
    expect(statusOf(replicas, [rc(1)])).toEqual(['fail']);
    expect(statusOf(replicas, [rc(3)])).toEqual(['pass']);
    expect(statusOf(pdb, [rc(3)])).toEqual(['fail']);
    const budget = object('PodDisruptionBudget', 'legacy', {
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
    });
    expect(statusOf(pdb, [rc(3), budget])).toEqual(['pass']);
    expect(statusOf(spread, [rc(3)])).not.toEqual(['not-applicable']);
  });
});
