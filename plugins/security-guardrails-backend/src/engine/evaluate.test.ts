import {
  CheckResult,
  compareStrings,
  resultKey,
  scoreResults,
} from '@internal/backstage-plugin-security-guardrails-common';
import { evaluate } from './evaluate';
import { EntityMapper } from './mapping';
import { parseSelectorString, selectorMatches } from './selectors';
import { BUILTIN_CHECKS } from './checks';
import {
  deployment,
  entity,
  hardenedContainer,
  hardenedPodSpec,
  NOW,
  object,
  pod,
  snapshot,
} from '../__testUtils__/builders';
import { Check } from '@internal/backstage-plugin-security-guardrails-node';
import { ManifestsSource } from '../sources/ManifestsSource';
import { DEMO_CLUSTER_DIR, demoEntities } from '../__testUtils__/demo';

const privileged = deployment({
  podSpec: hardenedPodSpec({
    containers: [
      hardenedContainer('app', {
        securityContext: {
          ...hardenedContainer().securityContext,
          privileged: true,
        },
      }),
    ],
  }),
  annotations: undefined,
});

/** The privileged Deployment with an `exempt-sc.privileged` annotation of this value. */
const exemptByAnnotation = (value: string) => ({
  ...privileged,
  metadata: {
    ...privileged.metadata,
    annotations: { 'security-guardrails.io/exempt-sc.privileged': value },
  },
});

describe('evaluate', () => {
  it('keys findings by the owning controller: no duplicates for ReplicaSets and Pods', () => {
    const d = deployment({ uid: 'd-1' });
    const rs = {
      ...deployment({ kind: 'ReplicaSet', name: 'app-5d8' }),
      metadata: {
        name: 'app-5d8',
        namespace: 'shop',
        uid: 'rs-1',
        ownerReferences: [
          { kind: 'Deployment', name: 'app', uid: 'd-1', controller: true },
        ],
      },
    };
    const p = pod('app-5d8-x', hardenedPodSpec(), {
      kind: 'ReplicaSet',
      name: 'app-5d8',
      uid: 'rs-1',
    });
    const evaluation = evaluate(
      { clusters: [snapshot([d, rs, p])] },
      { now: NOW },
    );
    const kinds = new Set(evaluation.results.map(r => r.resource.kind));
    expect(kinds).toEqual(new Set(['Deployment']));
    expect(evaluation.stats.workloads).toBe(1);
    const keys = evaluation.results.map(resultKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('evaluates an orphan Pod and a Job owned by a CronJob under the CronJob', () => {
    const orphan = pod('debug', hardenedPodSpec());
    const cron = deployment({ kind: 'CronJob', name: 'nightly', uid: 'c-1' });
    const job = {
      ...deployment({ kind: 'Job', name: 'nightly-123' }),
      metadata: {
        name: 'nightly-123',
        namespace: 'shop',
        ownerReferences: [
          { kind: 'CronJob', name: 'nightly', uid: 'c-1', controller: true },
        ],
      },
    };
    const evaluation = evaluate(
      { clusters: [snapshot([orphan, cron, job])] },
      { now: NOW },
    );
    const subjects = new Set(
      evaluation.results.map(r => `${r.resource.kind}/${r.resource.name}`),
    );
    expect(subjects).toEqual(new Set(['Pod/debug', 'CronJob/nightly']));
  });

  it('is deterministic: the same input gives the same results in the same order', () => {
    const objects = [
      privileged,
      object('NetworkPolicy', 'p', {
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      }),
    ];
    const a = evaluate({ clusters: [snapshot(objects)] }, { now: NOW });
    const b = evaluate(
      { clusters: [snapshot([...objects].reverse())] },
      { now: NOW },
    );
    expect(JSON.stringify(b.results)).toBe(JSON.stringify(a.results));
  });

  it('maps workloads to entities by kubernetes-id label, label selector and namespace', () => {
    const byId = entity({
      ref: 'component:default/by-id',
      annotations: { 'backstage.io/kubernetes-id': 'app' },
    });
    const bySelector = entity({
      ref: 'component:default/by-selector',
      annotations: {
        'backstage.io/kubernetes-label-selector':
          'app.kubernetes.io/name=app,tier notin (db)',
      },
    });
    const otherNs = entity({
      ref: 'component:default/other-ns',
      annotations: {
        'backstage.io/kubernetes-id': 'app',
        'backstage.io/kubernetes-namespace': 'elsewhere',
      },
    });
    const evaluation = evaluate(
      { clusters: [snapshot([deployment()])] },
      { entities: [byId, bySelector, otherNs], now: NOW },
    );
    expect(evaluation.entities.get('component:default/by-id')!.mapped).toBe(
      true,
    );
    expect(
      evaluation.entities.get('component:default/by-selector')!.mapped,
    ).toBe(true);
    expect(evaluation.entities.get('component:default/other-ns')!.mapped).toBe(
      false,
    );
    // Catalog checks still run for an unmapped entity.
    expect(
      evaluation.entities
        .get('component:default/other-ns')!
        .results.map(r => r.checkId)
        .sort(),
    ).toEqual(['own.oncall', 'own.owner', 'own.runbook']);
  });

  it('evaluates objects that map to no entity as unowned', () => {
    const evaluation = evaluate(
      { clusters: [snapshot([deployment({ labels: {}, podLabels: {} })])] },
      { entities: [entity()], now: NOW },
    );
    expect(evaluation.unowned.length).toBeGreaterThan(0);
    expect(evaluation.entities.get('component:default/app')!.mapped).toBe(
      false,
    );
  });

  it('applies config exemptions within their scope and until they expire', () => {
    const run = (expiresAt: string, namespace = 'shop') =>
      evaluate(
        { clusters: [snapshot([privileged])] },
        {
          entities: [entity()],
          exemptions: [
            {
              checkId: 'sc.privileged',
              entityRef: 'component:default/app',
              namespace,
              reason: 'GPU driver',
              expiresAt,
              source: 'config',
            },
          ],
          now: NOW,
        },
      ).results.find(r => r.checkId === 'sc.privileged')!;
    expect(run('2026-12-31')).toMatchObject({
      status: 'exempt',
      exemption: { reason: 'GPU driver', source: 'config' },
    });
    expect(run('2026-11-01').status).toBe('fail');
    expect(run('2026-12-31', 'other').status).toBe('fail');
  });

  it('honours annotation exemptions unless switched off, and reports malformed ones', () => {
    const annotated = exemptByAnnotation('2026-12-31 needs /dev/fuse');
    const on = evaluate({ clusters: [snapshot([annotated])] }, { now: NOW });
    expect(on.results.find(r => r.checkId === 'sc.privileged')).toMatchObject({
      status: 'exempt',
      exemption: { source: 'annotation' },
    });
    const off = evaluate(
      { clusters: [snapshot([annotated])] },
      { now: NOW, annotationExemptions: false },
    );
    expect(off.results.find(r => r.checkId === 'sc.privileged')!.status).toBe(
      'fail',
    );
    const malformed = exemptByAnnotation('forever');
    const bad = evaluate({ clusters: [snapshot([malformed])] }, { now: NOW });
    expect(bad.results.find(r => r.checkId === 'sc.privileged')!.status).toBe(
      'fail',
    );
    expect(
      bad.errors.some(e => e.message.includes('exemption annotation ignored')),
    ).toBe(true);
  });

  it('writes a result out with its fields in the order CheckResult gives them, unset ones left out', () => {
    const annotated = exemptByAnnotation('2026-12-31 needs /dev/fuse');
    const located = {
      ...snapshot([annotated]),
      locations: new Map([[annotated, { file: 'app.yaml', line: 3 }]]),
    };
    const { results } = evaluate({ clusters: [located] }, { now: NOW });
    const written = (r: CheckResult) =>
      Object.keys(JSON.parse(JSON.stringify(r)));
    const exempt = results.find(r => r.checkId === 'sc.privileged')!;
    expect(exempt.container).toBe('app');
    // Every result starts with these, in this order.
    const head = [
      'checkId',
      'status',
      'severity',
      'domain',
      'resource',
      'message',
    ];
    expect(written(exempt)).toEqual([
      ...head,
      'container',
      'field',
      'observed',
      'source',
      'exemption',
    ]);
    // A result about the whole workload has no container, and without an
    // exemption none is written.
    const whole = results.find(
      r => r.container === undefined && r.status !== 'exempt',
    )!;
    expect(written(whole)).not.toContain('container');
    expect(written(whole)).not.toContain('exemption');
    expect(written(whole).slice(0, head.length)).toEqual(head);
  });

  it('exempt results leave the score', () => {
    const exempt = evaluate(
      { clusters: [snapshot([privileged])] },
      {
        entities: [entity()],
        exemptions: [
          {
            checkId: 'sc.privileged',
            reason: 'r',
            expiresAt: '2026-12-31',
            source: 'config',
          },
        ],
        now: NOW,
      },
    );
    const failing = evaluate(
      { clusters: [snapshot([privileged])] },
      { entities: [entity()], now: NOW },
    );
    const s1 = scoreResults(
      exempt.entities.get('component:default/app')!.results,
    ).overall;
    const s2 = scoreResults(
      failing.entities.get('component:default/app')!.results,
    ).overall;
    expect(s1.counts.exempt).toBe(1);
    expect(s1.score!).toBeGreaterThan(s2.score!);
    expect(s2.criticalFailures).toEqual(['sc.privileged']);
  });

  it('reports results by check id, then kind, namespace and name field by field, then container in pod spec order, whatever the order of the objects', () => {
    const named = (id: string): Check => ({
      meta: { ...BUILTIN_CHECKS[0].meta, id },
      workload: w =>
        w.containers.map(c => ({
          status: 'pass' as const,
          container: c.container.name,
          message: w.object.metadata.name,
        })),
    });
    // Field by field, a name that prefixes another comes first ('api' before
    // 'api-v2'), as does a check id ('acme.a' before 'acme.a-b').
    const checks = [named('acme.a-b'), named('acme.a'), ...BUILTIN_CHECKS];
    const twoContainers = {
      containers: [
        { name: 'main-b', image: 'registry.example.com/a:1' },
        { name: 'main', image: 'registry.example.com/a:1' },
      ],
    };
    const objects = ['web', 'api-v2', 'api', 'x'].flatMap(name =>
      ['shop', 'pay'].map(namespace =>
        deployment({ name, namespace, podSpec: twoContainers }),
      ),
    );
    objects.push(
      deployment({
        name: 'api',
        namespace: 'pay',
        kind: 'StatefulSet',
        podSpec: twoContainers,
      }),
    );
    const order = (results: CheckResult[]) =>
      results
        .filter(r => r.checkId.startsWith('acme.'))
        .map(
          r =>
            `${r.checkId} ${r.resource.kind} ${r.resource.namespace}/${r.resource.name} ${r.container}`,
        );
    const forward = evaluate(
      { clusters: [snapshot(objects)] },
      { checks, now: NOW },
    );
    const backward = evaluate(
      { clusters: [snapshot([...objects].reverse())] },
      { checks, now: NOW },
    );
    expect(order(forward.results).slice(0, 7)).toEqual([
      'acme.a Deployment pay/api main-b',
      'acme.a Deployment pay/api main',
      'acme.a Deployment pay/api-v2 main-b',
      'acme.a Deployment pay/api-v2 main',
      'acme.a Deployment pay/web main-b',
      'acme.a Deployment pay/web main',
      'acme.a Deployment pay/x main-b',
    ]);
    expect(order(forward.results).slice(16, 21)).toEqual([
      'acme.a StatefulSet pay/api main-b',
      'acme.a StatefulSet pay/api main',
      'acme.a-b Deployment pay/api main-b',
      'acme.a-b Deployment pay/api main',
      'acme.a-b Deployment pay/api-v2 main-b',
    ]);
    expect(JSON.stringify(backward.results)).toBe(
      JSON.stringify(forward.results),
    );
    const ids = forward.results.map(r => r.checkId);
    expect(ids).toEqual([...ids].sort(compareStrings));
  });

  it('reports the demo cluster in order: every check by kind, namespace and name', async () => {
    const demo = await ManifestsSource.create({
      cluster: 'demo',
      paths: [DEMO_CLUSTER_DIR],
    }).read();
    const { results } = evaluate(
      { clusters: [{ ...demo, objects: [...demo.objects].reverse() }] },
      { entities: demoEntities(), now: NOW },
    );
    expect(results.length).toBeGreaterThan(100);
    const key = (r: CheckResult) => [
      r.checkId,
      r.resource.kind,
      r.resource.namespace ?? '',
      r.resource.name,
    ];
    const outOfOrder = results.filter((r, i) => {
      if (i === 0) return false;
      const a = key(results[i - 1]);
      const b = key(r);
      for (let f = 0; f < a.length; f++) {
        const c = compareStrings(a[f], b[f]);
        if (c !== 0) return c > 0;
      }
      return false;
    });
    expect(outOfOrder).toEqual([]);
  });

  it('turns a throwing check into an error, not a crash', () => {
    const broken: Check = {
      meta: { ...BUILTIN_CHECKS[0].meta, id: 'custom.broken' },
      workload: () => {
        throw new Error('boom');
      },
    };
    const evaluation = evaluate(
      { clusters: [snapshot([deployment()])] },
      { checks: [broken], now: NOW },
    );
    expect(evaluation.results).toEqual([]);
    expect(evaluation.errors[0]).toMatchObject({
      checkId: 'custom.broken',
      message: 'check failed: boom',
    });
  });

  it('runs custom checks next to built-in ones', () => {
    const custom: Check = {
      meta: {
        id: 'acme.team-label',
        title: 'Team label',
        domain: 'observability',
        severity: 'low',
        rationale: 'r',
        remediation: 'm',
      },
      workload: w => [
        w.object.metadata.labels?.team
          ? { status: 'pass', message: 'ok' }
          : { status: 'fail', message: 'no team label' },
      ],
    };
    const evaluation = evaluate(
      { clusters: [snapshot([deployment()])] },
      { checks: [...BUILTIN_CHECKS, custom], now: NOW },
    );
    expect(
      evaluation.results.find(r => r.checkId === 'acme.team-label'),
    ).toMatchObject({ status: 'fail', domain: 'observability' });
  });

  it('evaluates only the requested entities when asked', () => {
    const other = deployment({
      name: 'other',
      labels: { 'backstage.io/kubernetes-id': 'other' },
      podLabels: { 'backstage.io/kubernetes-id': 'other' },
    });
    const evaluation = evaluate(
      { clusters: [snapshot([deployment(), other])] },
      {
        entities: [
          entity(),
          entity({
            ref: 'component:default/other',
            name: 'other',
            annotations: { 'backstage.io/kubernetes-id': 'other' },
          }),
        ],
        onlyEntities: new Set(['component:default/app']),
        now: NOW,
      },
    );
    expect([...evaluation.entities.keys()]).toEqual(['component:default/app']);
    expect(evaluation.results.every(r => r.resource.name !== 'other')).toBe(
      true,
    );
  });

  it('gives the results of an object two entities own to both, in report order, and to the asked one only when asked', () => {
    const shared = deployment({
      name: 'shared',
      labels: { 'backstage.io/kubernetes-id': 'app', team: 'pay' },
      podLabels: { 'backstage.io/kubernetes-id': 'app', team: 'pay' },
    });
    const solo = deployment({ name: 'solo' });
    const entities = [
      entity(),
      entity({
        ref: 'component:default/pay',
        name: 'pay',
        annotations: {
          'backstage.io/kubernetes-label-selector': 'team=pay',
        },
      }),
    ];
    const state = { clusters: [snapshot([solo, shared])] };
    const all = evaluate(state, { entities, now: NOW });
    const inCluster = (list: CheckResult[]) =>
      list.filter(r => r.resource.cluster !== 'catalog');
    const app = all.entities.get('component:default/app')!.results;
    const pay = all.entities.get('component:default/pay')!.results;
    expect(inCluster(pay).length).toBeGreaterThan(0);
    expect(inCluster(pay).every(r => r.resource.name === 'shared')).toBe(true);
    expect(inCluster(app).filter(r => r.resource.name === 'shared')).toEqual(
      inCluster(pay),
    );
    expect(inCluster(app).some(r => r.resource.name === 'solo')).toBe(true);
    // Each entity's results are the evaluation's, in the same order.
    for (const list of [app, pay]) {
      const positions = list.map(r => all.results.indexOf(r));
      expect(positions.every(i => i >= 0)).toBe(true);
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
    }
    expect(all.unowned).toEqual([]);

    const onlyPay = evaluate(state, {
      entities,
      now: NOW,
      onlyEntities: new Set(['component:default/pay']),
    });
    expect([...onlyPay.entities.keys()]).toEqual(['component:default/pay']);
    expect(
      onlyPay.entities.get('component:default/pay')!.results.map(resultKey),
    ).toEqual(pay.map(resultKey));
  });

  it('reports each cluster with its freshness and keeps clusters apart', () => {
    const a = snapshot([deployment()], 'a');
    const b = {
      ...snapshot([deployment()], 'b'),
      status: 'partial' as const,
      errors: [{ message: 'x.yaml: bad', file: 'x.yaml', line: 3 }],
    };
    const evaluation = evaluate(
      { clusters: [a, b] },
      { entities: [entity()], now: NOW },
    );
    expect(evaluation.clusters.map(c => [c.cluster, c.status])).toEqual([
      ['a', 'ok'],
      ['b', 'partial'],
    ]);
    expect(evaluation.entities.get('component:default/app')!.clusters).toEqual([
      'a',
      'b',
    ]);
    expect(evaluation.errors).toContainEqual(
      expect.objectContaining({ cluster: 'b', file: 'x.yaml', line: 3 }),
    );
  });
});

describe('selectors and mapping', () => {
  it('parses the string form of label selectors', () => {
    expect(parseSelectorString('a=b, c!=d,e in (x, y),!f,g')).toEqual([
      { key: 'a', operator: 'In', values: ['b'] },
      { key: 'c', operator: 'NotIn', values: ['d'] },
      { key: 'e', operator: 'In', values: ['x', 'y'] },
      { key: 'f', operator: 'DoesNotExist' },
      { key: 'g', operator: 'Exists' },
    ]);
    expect(() => parseSelectorString('a=(b')).toThrow(/invalid label selector/);
  });

  it('matches structured selectors: empty selects all, missing selects none', () => {
    expect(selectorMatches({}, { a: 'b' })).toBe(true);
    expect(selectorMatches(undefined, { a: 'b' })).toBe(false);
    expect(
      selectorMatches(
        { matchExpressions: [{ key: 'a', operator: 'Bogus' }] },
        { a: 'b' },
      ),
    ).toBe(false);
  });

  it('reports entities with broken or empty selectors instead of mapping everything', () => {
    const mapper = new EntityMapper([
      entity({
        ref: 'component:default/broken',
        annotations: { 'backstage.io/kubernetes-label-selector': 'a in (b' },
      }),
      entity({
        ref: 'component:default/empty',
        annotations: { 'backstage.io/kubernetes-label-selector': ' , ' },
      }),
    ]);
    expect(mapper.problems.map(p => p.entityRef)).toEqual([
      'component:default/broken',
      'component:default/empty',
    ]);
    expect(mapper.entitiesFor('shop', { a: 'b' })).toEqual([]);
  });

  it('names each entity that selects an object once, sorted, however many select it and however', () => {
    const many = Array.from({ length: 20 }, (_, i) =>
      entity({
        ref: `component:default/e${String(i).padStart(2, '0')}`,
        annotations:
          i % 2
            ? { 'backstage.io/kubernetes-id': 'app' }
            : {
                'backstage.io/kubernetes-label-selector':
                  i % 4 ? 'tier=web' : 'tier in (web,api)',
              },
      }),
    ).reverse();
    const mapper = new EntityMapper(many);
    const labels = { 'backstage.io/kubernetes-id': 'app', tier: 'web' };
    const expected = many.map(e => e.ref).sort();
    // The workload's own labels and its pod template's select the same ones.
    expect(mapper.entitiesFor('shop', labels, { ...labels })).toEqual(expected);
    expect(mapper.entitiesFor('shop', { tier: 'api' })).toEqual(
      expected.filter((_, i) => i % 4 === 0),
    );
  });

  it('names two entities of one object sorted, and one named by both label sets once', () => {
    const mapper = new EntityMapper([
      entity({
        ref: 'component:default/b',
        annotations: { 'backstage.io/kubernetes-id': 'app' },
      }),
      entity({
        ref: 'component:default/a',
        annotations: { 'backstage.io/kubernetes-label-selector': 'tier=web' },
      }),
    ]);
    expect(
      mapper.entitiesFor('shop', {
        'backstage.io/kubernetes-id': 'app',
        tier: 'web',
      }),
    ).toEqual(['component:default/a', 'component:default/b']);
    expect(
      mapper.entitiesFor(
        'shop',
        { 'backstage.io/kubernetes-id': 'app' },
        { 'backstage.io/kubernetes-id': 'app' },
      ),
    ).toEqual(['component:default/b']);
  });
});
