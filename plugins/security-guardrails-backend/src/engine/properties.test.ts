/*
 * Property-based tests (fast-check) of the engine and the manifest parser:
 * whatever a cluster or a directory of manifests holds, evaluation finishes,
 * never throws, stays within its own rules, and gives the same answer twice.
 *
 * Objects are generated the way they arrive from a source: apiVersion, kind
 * and metadata.name are strings (sources refuse anything else), and the rest
 * is anything at all, mixed with fragments of real workloads whose fields are
 * of the wrong types, so that checks meet both plausible and absurd input.
 */
import fc from 'fast-check';
import {
  RESULT_STATUSES,
  scoreResults,
} from '@internal/backstage-plugin-security-guardrails-common';
import { BUILTIN_CHECKS } from './checks';
import { evaluate } from './evaluate';
import { NOW, snapshot } from '../__testUtils__/builders';
import { parseManifests } from '../sources/parseManifests';

const KINDS = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
  'Service',
  'Ingress',
  'NetworkPolicy',
  'Namespace',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'ConfigMap',
  'Secret',
  'LimitRange',
  'ResourceQuota',
  'Widget',
];
const NAMES = ['app', 'web', 'api', 'default', 'shop', 'kube-system', 'x'];
const KEYS = [
  'app',
  'app.kubernetes.io/name',
  'backstage.io/kubernetes-id',
  'security-guardrails.io/exempt-sc.privileged',
  'security-guardrails.io/exempt-until',
  'pod-security.kubernetes.io/enforce',
];

/** A value of any JSON type, including the ones a field should never have. */
const junk = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.constantFrom(...NAMES, ...KEYS, 'true', '0', 'restricted', '*'),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.anything(),
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, junk);

const stringMap = maybe(
  fc.dictionary(fc.constantFrom(...KEYS), maybe(fc.constantFrom(...NAMES)), {
    maxKeys: 4,
  }),
);

const container = maybe(
  fc.record(
    {
      name: maybe(fc.constantFrom(...NAMES)),
      image: maybe(
        fc.constantFrom(
          'nginx',
          'nginx:latest',
          'registry.example.com/app@sha256:abc',
          'ghcr.io/acme/app:1.2.3',
          '',
        ),
      ),
      securityContext: maybe(
        fc.record(
          {
            privileged: maybe(fc.boolean()),
            runAsNonRoot: maybe(fc.boolean()),
            runAsUser: maybe(fc.integer({ min: -1, max: 70000 })),
            allowPrivilegeEscalation: maybe(fc.boolean()),
            readOnlyRootFilesystem: maybe(fc.boolean()),
            capabilities: maybe(
              fc.record({
                add: maybe(
                  fc.array(maybe(fc.constantFrom('NET_ADMIN', 'ALL'))),
                ),
                drop: maybe(fc.array(maybe(fc.constantFrom('ALL', 'NET_RAW')))),
              }),
            ),
            seccompProfile: maybe(
              fc.record({ type: maybe(fc.constantFrom('RuntimeDefault')) }),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
      resources: maybe(
        fc.record(
          {
            limits: maybe(
              fc.dictionary(fc.constantFrom('cpu', 'memory'), junk),
            ),
            requests: maybe(
              fc.dictionary(fc.constantFrom('cpu', 'memory'), junk),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
      livenessProbe: junk,
      readinessProbe: junk,
      ports: maybe(fc.array(maybe(fc.record({ containerPort: junk })))),
      env: maybe(fc.array(junk, { maxLength: 3 })),
    },
    { requiredKeys: [] },
  ),
);

const podSpec = maybe(
  fc.record(
    {
      containers: maybe(fc.array(container, { maxLength: 3 })),
      initContainers: maybe(fc.array(container, { maxLength: 2 })),
      hostNetwork: maybe(fc.boolean()),
      hostPID: maybe(fc.boolean()),
      hostIPC: maybe(fc.boolean()),
      serviceAccountName: maybe(fc.constantFrom(...NAMES)),
      automountServiceAccountToken: maybe(fc.boolean()),
      securityContext: junk,
      volumes: maybe(fc.array(junk, { maxLength: 3 })),
    },
    { requiredKeys: [] },
  ),
);

const object = fc.record(
  {
    apiVersion: fc.constantFrom('v1', 'apps/v1', 'batch/v1', 'x/y'),
    kind: fc.constantFrom(...KINDS),
    metadata: fc.record(
      {
        name: fc.constantFrom(...NAMES),
        namespace: maybe(fc.constantFrom(...NAMES)),
        uid: maybe(fc.constantFrom('u1', 'u2', 'u3')),
        labels: stringMap,
        annotations: stringMap,
        ownerReferences: maybe(
          fc.array(
            maybe(
              fc.record({
                kind: maybe(fc.constantFrom(...KINDS)),
                name: maybe(fc.constantFrom(...NAMES)),
                uid: maybe(fc.constantFrom('u1', 'u2', 'u3')),
                controller: maybe(fc.boolean()),
              }),
            ),
            { maxLength: 2 },
          ),
        ),
      },
      { requiredKeys: ['name'] },
    ),
    spec: maybe(
      fc.record(
        {
          template: maybe(fc.record({ metadata: junk, spec: podSpec })),
          jobTemplate: maybe(
            fc.record({
              spec: maybe(
                fc.record({ template: maybe(fc.record({ spec: podSpec })) }),
              ),
            }),
          ),
          selector: junk,
          podSelector: junk,
          replicas: junk,
          containers: maybe(fc.array(container, { maxLength: 2 })),
          type: maybe(fc.constantFrom('LoadBalancer', 'NodePort', 'ClusterIP')),
          tls: junk,
          rules: junk,
        },
        { requiredKeys: [] },
      ),
    ),
    rules: maybe(fc.array(junk, { maxLength: 3 })),
    subjects: maybe(fc.array(junk, { maxLength: 3 })),
    roleRef: junk,
    data: junk,
  },
  { requiredKeys: ['apiVersion', 'kind', 'metadata'] },
);

const entityInfo = fc.record({
  ref: fc.constantFrom(
    'component:default/app',
    'component:default/web',
    'component:default/api',
  ),
  kind: fc.constant('Component'),
  name: fc.constantFrom(...NAMES),
  namespace: fc.constant('default'),
  owner: fc.option(fc.constantFrom('group:default/team-a'), {
    nil: undefined,
  }),
  annotations: fc.dictionary(
    fc.constantFrom(
      'backstage.io/kubernetes-id',
      'backstage.io/kubernetes-namespace',
      'backstage.io/kubernetes-label-selector',
      'backstage.io/techdocs-ref',
    ),
    fc.constantFrom(...NAMES, 'app=web', 'app in (web,api)', '!!', ''),
    { maxKeys: 3 },
  ),
  links: fc.constant([]),
});

const CHECK_IDS = new Set(BUILTIN_CHECKS.map(c => c.meta.id));
const runs = { numRuns: process.env.CI ? 150 : 60 };

describe('engine properties', () => {
  it('evaluates any cluster without throwing, within its rules, the same way twice', () => {
    const seen = { results: 0, fails: 0, checkErrors: [] as string[] };
    fc.assert(
      fc.property(
        fc.array(object, { maxLength: 12 }),
        fc.array(entityInfo, { maxLength: 3 }),
        (objects, entities) => {
          const state = { clusters: [snapshot(objects as any)] };
          const options = { now: NOW, entities: entities as any };
          const first = evaluate(state, options);
          const second = evaluate(state, options);
          expect(second).toEqual(first);

          seen.results += first.results.length;
          seen.fails += first.results.filter(r => r.status === 'fail').length;
          seen.checkErrors.push(
            ...first.errors.filter(e => e.checkId).map(e => e.message),
          );
          for (const r of first.results) {
            expect(CHECK_IDS).toContain(r.checkId);
            expect(RESULT_STATUSES).toContain(r.status);
          }
          for (const e of first.entities.values()) {
            // null when nothing applies; otherwise a percentage.
            const score = scoreResults(e.results).overall.score ?? 0;
            expect(score).toBeGreaterThanOrEqual(0);
            expect(score).toBeLessThanOrEqual(100);
          }
        },
      ),
      runs,
    );
    // The generator reaches real findings, not only objects the checks skip.
    expect(seen.results).toBeGreaterThan(runs.numRuns);
    expect(seen.fails).toBeGreaterThan(0);
    // No check threw on any of it (a throw is reported as "check failed").
    expect(seen.checkErrors.filter(m => m.startsWith('check failed'))).toEqual(
      [],
    );
  });

  // A watched cluster reports no change when only an object's status (or
  // its resourceVersion and managedFields) changed: this is why.
  it("gives the same results whatever the objects' status, resourceVersion and managedFields say", () => {
    fc.assert(
      fc.property(
        fc.array(object, { maxLength: 12 }),
        fc.array(entityInfo, { maxLength: 3 }),
        fc.array(junk, { minLength: 12, maxLength: 12 }),
        (objects, entities, noise) => {
          const options = { now: NOW, entities: entities as any };
          const noisy = objects.map((o: any, i) => ({
            ...o,
            status: noise[i],
            metadata: {
              ...o.metadata,
              resourceVersion: String(i),
              managedFields: [{ manager: 'kubelet', noise: noise[i] }],
            },
          }));
          const plain = evaluate(
            { clusters: [snapshot(objects as any)] },
            options,
          );
          const withNoise = evaluate(
            { clusters: [snapshot(noisy as any)] },
            options,
          );
          expect(withNoise.results).toEqual(plain.results);
        },
      ),
      runs,
    );
  });

  it('parses any text into objects and reported errors, never an exception', () => {
    const yamlish = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc
        .array(
          fc.oneof(
            fc.constantFrom(
              '---',
              '...',
              'apiVersion: v1',
              'kind: Pod',
              'kind: Secret',
              'metadata:',
              '  name: x',
              '  namespace: shop',
              'data: {password: aHVudGVyMg==}',
              'a: &a [1, 2]',
              'b: [*a, *a, *a]',
              'c: *nope',
              '  - - - [',
              '{"apiVersion": "v1", "kind": "Pod"',
              '\t: :',
              '%YAML 1.2',
              '!!binary x',
            ),
            fc.string({ maxLength: 40 }),
          ),
          { maxLength: 25 },
        )
        .map(lines => lines.join('\n')),
    );
    fc.assert(
      fc.property(yamlish, text => {
        const parsed = parseManifests(text, 'random.yaml', {
          defaultNamespace: 'default',
        });
        for (const o of parsed.objects) {
          expect(typeof o.kind).toBe('string');
          expect(typeof o.metadata.name).toBe('string');
          // Secrets are counted and skipped, never kept.
          expect(o.kind).not.toBe('Secret');
        }
        for (const e of parsed.errors)
          expect(e.message).toEqual(expect.any(String));
        expect(
          parseManifests(text, 'random.yaml', {
            defaultNamespace: 'default',
          }),
        ).toEqual(parsed);
      }),
      runs,
    );
  });
});
