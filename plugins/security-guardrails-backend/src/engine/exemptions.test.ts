import { CheckResult } from '@internal/backstage-plugin-security-guardrails-node';
import {
  annotationExemptions,
  ExemptionMatcher,
  ExemptionRule,
} from './exemptions';

const NOW = new Date('2026-12-05T12:00:00Z');

const rule = (
  r: Partial<ExemptionRule> & { reason: string },
): ExemptionRule => ({
  checkId: 'sc.non-root',
  expiresAt: '2027-01-01',
  source: 'request',
  ...r,
});

const result = (
  resource: Partial<CheckResult['resource']> = {},
  checkId = 'sc.non-root',
): CheckResult =>
  ({
    checkId,
    status: 'fail',
    severity: 'high',
    domain: 'implementation',
    resource: {
      cluster: 'eu-1',
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
      ...resource,
    },
    message: '',
  } as CheckResult);

/** What a rule covers, tested one rule at a time: the definition the matcher must keep. */
function firstCovering(
  rules: ExemptionRule[],
  r: CheckResult,
  entityRefs: string[],
): string | undefined {
  return rules.find(
    x =>
      x.checkId === r.checkId &&
      x.reason.trim() &&
      Date.parse(`${x.expiresAt}T23:59:59Z`) > NOW.getTime() &&
      (!x.entityRef || entityRefs.includes(x.entityRef)) &&
      (!x.cluster || x.cluster === r.resource.cluster) &&
      (!x.namespace || x.namespace === r.resource.namespace) &&
      (!x.kind || x.kind === r.resource.kind) &&
      (!x.name || x.name === r.resource.name),
  )?.reason;
}

describe('ExemptionMatcher', () => {
  it('takes the first active rule that covers the result, in the order given, entity-scoped or not', () => {
    const rules = [
      rule({ reason: 'expired', expiresAt: '2026-01-01' }),
      rule({ reason: 'other entity', entityRef: 'component:default/api' }),
      rule({ reason: 'other check', checkId: 'sc.privileged' }),
      rule({ reason: 'other cluster', cluster: 'us-1' }),
      rule({ reason: 'web, by entity', entityRef: 'component:default/web' }),
      rule({ reason: 'any entity in shop', namespace: 'shop' }),
    ];
    const matcher = new ExemptionMatcher(rules, NOW);
    const web = ['component:default/web'];
    expect(matcher.match(result(), web)?.reason).toBe('web, by entity');
    expect(matcher.match(result(), ['component:default/api'])?.reason).toBe(
      'other entity',
    );
    expect(matcher.match(result(), [])?.reason).toBe('any entity in shop');
    expect(
      matcher.match(result({ namespace: 'pay' }), [])?.reason,
    ).toBeUndefined();
    // An entity listed twice, and two entities: still the first in order.
    expect(
      matcher.match(result(), [...web, 'component:default/api', ...web])
        ?.reason,
    ).toBe('other entity');
  });

  it('agrees with testing every rule, on random rules and results', () => {
    let seed = 11;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
    const maybe = <T>(list: T[]) => (next() < 0.5 ? pick(list) : undefined);
    const entities = ['a', 'b', 'c', 'd'].map(n => `component:default/${n}`);
    for (let round = 0; round < 30; round++) {
      const rules = Array.from({ length: 30 }, (_, i) =>
        rule({
          reason: `rule ${i}`,
          checkId: pick(['sc.non-root', 'sc.privileged']),
          entityRef: maybe(entities),
          cluster: maybe(['eu-1', 'us-1']),
          namespace: maybe(['shop', 'pay']),
          kind: maybe(['Deployment', 'StatefulSet']),
          name: maybe(['web', 'api']),
          expiresAt: pick(['2026-01-01', '2027-01-01']),
        }),
      );
      const matcher = new ExemptionMatcher(rules, NOW);
      for (let i = 0; i < 30; i++) {
        const r = result(
          {
            cluster: pick(['eu-1', 'us-1']),
            namespace: pick(['shop', 'pay']),
            kind: pick(['Deployment', 'StatefulSet']),
            name: pick(['web', 'api']),
          },
          pick(['sc.non-root', 'sc.privileged']),
        );
        const owners = entities.filter(() => next() < 0.4);
        expect(matcher.match(r, owners)?.reason).toBe(
          firstCovering(rules, r, owners),
        );
      }
    }
  });

  it("compares a result with its own entity's rules, not with every rule of its check", () => {
    const n = 2000;
    let reads = 0;
    const rules = Array.from({ length: n }, (_, i) => {
      const r = rule({ reason: 'campaign exemption' });
      const entityRef = `component:default/svc-${i}`;
      // Reading a rule's entity is comparing a result with it.
      return Object.defineProperty(r, 'entityRef', {
        enumerable: true,
        get: () => {
          reads++;
          return entityRef;
        },
      });
    });
    const matcher = new ExemptionMatcher(rules, NOW);
    for (let i = 0; i < n; i++) {
      expect(
        matcher.match(result(), [`component:default/svc-${i}`]),
      ).toBeDefined();
    }
    // Read when indexed, a few times a rule; never once per result and rule.
    expect(reads).toBeLessThanOrEqual(3 * n);
  });
});

describe('annotationExemptions', () => {
  const object = (annotations?: Record<string, unknown>) =>
    ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', annotations },
    } as any);

  it('is undefined for an object without exemption annotations', () => {
    expect(annotationExemptions(object())).toBeUndefined();
    expect(
      annotationExemptions(object({ 'app.kubernetes.io/name': 'web' })),
    ).toBeUndefined();
    // A value that is not a string is not an exemption.
    expect(
      annotationExemptions(
        object({ 'security-guardrails.io/exempt-sc.non-root': 7 }),
      ),
    ).toBeUndefined();
  });

  it('reads each exemption annotation by check id, malformed ones too', () => {
    const found = annotationExemptions(
      object({
        'app.kubernetes.io/name': 'web',
        'security-guardrails.io/exempt-sc.non-root': '2027-01-31 legacy image',
        'security-guardrails.io/exempt-sc.privileged': 'forever',
      }),
    )!;
    expect([...found.keys()]).toEqual(['sc.non-root', 'sc.privileged']);
    expect(found.get('sc.non-root')).toEqual({
      reason: 'legacy image',
      expiresAt: new Date('2027-01-31T23:59:59Z'),
      raw: '2027-01-31 legacy image',
    });
    // No reason: the engine reports it as an ignored annotation.
    expect(found.get('sc.privileged')).toMatchObject({
      reason: '',
      expiresAt: undefined,
    });
  });
});
