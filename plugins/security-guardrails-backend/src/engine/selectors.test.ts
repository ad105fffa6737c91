import {
  mapSelectorMatches,
  SelectorIndex,
  selectorMatches,
} from './selectors';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const KEYS = ['app', 'tier', 'team', 'part-of'];
const VALUES = ['a', 'b', 'c'];

describe('SelectorIndex', () => {
  const structured: unknown[] = [
    {},
    { matchLabels: { app: 'a' } },
    { matchLabels: { app: 'a', tier: 'b' } },
    { matchLabels: { 'part-of': 'c', app: 'b' } },
    { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] },
    { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] },
    { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'a'] }] },
    { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
    { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] },
    {
      matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }],
    },
    {
      matchLabels: { app: 'a' },
      matchExpressions: [{ key: 'x', operator: 'Bogus' }],
    },
    // Malformed, as manifests can be: the matcher decides, as before.
    { matchLabels: 'app' },
    { matchLabels: ['a'] },
    { matchExpressions: [{ key: 'app', operator: 'In', values: 'abc' }] },
    ['a'],
    'app=a',
    null,
    undefined,
  ];
  const maps: unknown[] = [
    {},
    { app: 'a' },
    { app: 'a', tier: 'b' },
    { tier: 'c' },
    ['a'],
    'app',
    null,
    undefined,
  ];
  const labelSets: Array<Record<string, string> | undefined> = [
    undefined,
    {},
    { app: 'a' },
    { app: 'b', 'part-of': 'c' },
    { app: 'a', tier: 'b', team: 'a' },
    { tier: 'c', team: 'b' },
    { 0: 'a' },
    { 0: 'b', app: 'c' },
  ];

  it('finds exactly what testing every selector finds, in the same order', () => {
    const index = new SelectorIndex(structured, s => s, 'structured');
    const mapIndex = new SelectorIndex(maps, s => s, 'map');
    for (const labels of labelSets) {
      expect(index.matching(labels)).toEqual(
        structured.filter(s => selectorMatches(s as any, labels)),
      );
      expect(mapIndex.matching(labels)).toEqual(
        maps.filter(s => mapSelectorMatches(s as any, labels)),
      );
    }
  });

  it('agrees with testing every selector on random selectors and labels', () => {
    const next = random(42);
    const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
    for (let round = 0; round < 50; round++) {
      const selectors = Array.from({ length: 40 }, () => {
        const matchLabels: Record<string, string> = {};
        const n = Math.floor(next() * 3);
        for (let i = 0; i < n; i++) matchLabels[pick(KEYS)] = pick(VALUES);
        const matchExpressions = Array.from(
          { length: Math.floor(next() * 2) },
          () => ({
            key: pick(KEYS),
            operator: pick(['In', 'NotIn', 'Exists', 'DoesNotExist']),
            values: VALUES.filter(() => next() < 0.5),
          }),
        );
        return next() < 0.1 ? {} : { matchLabels, matchExpressions };
      });
      const index = new SelectorIndex(selectors, s => s, 'structured');
      const mapIndex = new SelectorIndex(selectors, s => s.matchLabels, 'map');
      for (let i = 0; i < 20; i++) {
        const labels: Record<string, string> = {};
        for (const key of KEYS) if (next() < 0.6) labels[key] = pick(VALUES);
        expect(index.matching(labels)).toEqual(
          selectors.filter(s => selectorMatches(s, labels)),
        );
        expect(mapIndex.matching(labels)).toEqual(
          selectors.filter(s => mapSelectorMatches(s.matchLabels, labels)),
        );
      }
    }
  });

  it('tests each pod against its own few selectors, not every one: linear in a namespace of N services with a policy each', () => {
    const n = 2000;
    let reads = 0;
    // Each policy selects its own service and the shared part-of label, as
    // Helm charts write them; counting reads of matchLabels counts tests.
    const policies = Array.from({ length: n }, (_, i) => {
      const matchLabels = { 'part-of': 'shop', app: `svc-${i}` };
      return {
        get matchLabels() {
          reads++;
          return matchLabels;
        },
      };
    });
    const index = new SelectorIndex(policies, p => p, 'structured');
    let found = 0;
    for (let i = 0; i < n; i++) {
      found += index.matching({ 'part-of': 'shop', app: `svc-${i}` }).length;
    }
    expect(found).toBe(n);
    // One read to index each, one test per pod: not n × n.
    expect(reads).toBeLessThanOrEqual(3 * n);
  });
});
