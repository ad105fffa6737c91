import {
  DOMAINS,
  Domain,
  DomainGrade,
  Grade,
} from '@internal/backstage-plugin-security-guardrails-common';
import { PostureSummaryRow } from './PostureStore';
import { PastScores, passRates, summarize, trend } from './summary';

function domains(
  score: number | null,
  grade: Grade | null,
): Record<Domain, DomainGrade> {
  return Object.fromEntries(DOMAINS.map(d => [d, { score, grade }])) as Record<
    Domain,
    DomainGrade
  >;
}

function row(
  ref: string,
  owner: string,
  score: number | null,
  grade: Grade | null,
  extra: Partial<PostureSummaryRow> = {},
): PostureSummaryRow {
  return {
    entityRef: ref,
    owner,
    system: 'system:default/shop',
    score,
    grade,
    domains: domains(score, grade),
    criticalFailures: 0,
    namespaces: ['shop'],
    checkCounts: {},
    ...extra,
  };
}

const past = (entries: Array<[string, number]>): PastScores =>
  new Map(
    entries.map(([ref, score]) => [
      ref,
      { score, grade: null, domains: domains(score, null) },
    ]),
  );

const NOW = new Date('2026-11-22T12:00:00Z');

describe('summarize', () => {
  // Team one: 95 (A), 85 (B), 55 (F); team two: 72 (C), no data.
  const rows = [
    row('component:default/a', 'group:default/one', 95, 'A', {
      checkCounts: { 'x.a': [1, 0, 0], 'x.b': [0, 2, 0] },
    }),
    row('component:default/b', 'group:default/one', 85, 'B', {
      checkCounts: { 'x.a': [1, 1, 0] },
    }),
    row('component:default/c', 'group:default/one', 55, 'F', {
      criticalFailures: 2,
      // Rows stored since 2026-12-04 count exempt and not applicable too.
      checkCounts: { 'x.a': [0, 0, 1, 2, 3] },
    }),
    row('component:default/d', 'group:default/two', 72, 'C', {
      criticalFailures: 1,
      namespaces: ['shop', 'batch'],
    }),
    row('component:default/e', 'group:default/two', null, null, {
      namespaces: [],
    }),
  ];
  const summary = summarize({
    rows,
    groupBy: 'owner',
    past7: past([
      ['component:default/a', 90],
      ['component:default/b', 85],
      ['component:default/c', 70],
    ]),
    past30: past([['component:default/d', 52]]),
    domainOf: id => (id === 'x.b' ? 'architecture' : 'implementation'),
    clusters: [],
    now: NOW,
  });

  it('counts grades and averages scores over services with data', () => {
    expect(summary.overall).toMatchObject({
      services: 5,
      averageScore: 76.8, // (95 + 85 + 55 + 72) / 4
      grades: { A: 1, B: 1, C: 1, D: 0, F: 1, none: 1 },
      shareBOrBetter: 0.5,
      criticalFailures: 3,
      servicesWithCriticalFailures: 2,
    });
  });

  it('groups by owner, lowest average first', () => {
    expect(
      summary.groups.map(g => [g.key, g.services, g.averageScore]),
    ).toEqual([
      ['group:default/two', 2, 72],
      ['group:default/one', 3, 78.3],
    ]);
  });

  it('computes change over 7 and 30 days on services scored both times', () => {
    // 7 days: now (95 + 85 + 55) / 3 = 78.33, then (90 + 85 + 70) / 3 = 81.67
    expect(
      summary.groups.find(g => g.key === 'group:default/one')!.change7d,
    ).toBe(-3.3);
    expect(
      summary.groups.find(g => g.key === 'group:default/two')!.change30d,
    ).toBe(20);
    expect(
      summary.groups.find(g => g.key === 'group:default/two')!.change7d,
    ).toBeNull();
  });

  it('ranks the most improved and most regressed', () => {
    expect(summary.mostImproved.days7).toEqual([
      {
        entityRef: 'component:default/a',
        owner: 'group:default/one',
        from: 90,
        to: 95,
        delta: 5,
      },
    ]);
    expect(summary.mostRegressed.days7).toEqual([
      {
        entityRef: 'component:default/c',
        owner: 'group:default/one',
        from: 70,
        to: 55,
        delta: -15,
      },
    ]);
    expect(summary.mostImproved.days30.map(m => m.entityRef)).toEqual([
      'component:default/d',
    ]);
  });

  it('computes pass rates per check, worst first', () => {
    expect(
      passRates(rows, id => (id === 'x.b' ? 'architecture' : 'implementation')),
    ).toEqual([
      {
        checkId: 'x.b',
        domain: 'architecture',
        pass: 0,
        fail: 2,
        warn: 0,
        exempt: 0,
        notApplicable: 0,
        rate: 0,
      },
      {
        checkId: 'x.a',
        domain: 'implementation',
        pass: 2,
        fail: 1,
        warn: 1,
        exempt: 2,
        notApplicable: 3,
        rate: 0.5,
      },
    ]);
  });

  it('groups by namespace, counting a service in each of its namespaces', () => {
    const byNs = summarize({
      rows,
      groupBy: 'namespace',
      past7: new Map(),
      past30: new Map(),
      domainOf: () => undefined,
      clusters: [],
      now: NOW,
    });
    expect(
      Object.fromEntries(byNs.groups.map(g => [g.key, g.services])),
    ).toEqual({ shop: 4, batch: 1, '(no namespace)': 1 });
  });

  it('groups by domain in domain order', () => {
    const byDomain = summarize({
      rows,
      groupBy: 'domain',
      past7: new Map(),
      past30: new Map(),
      domainOf: () => undefined,
      clusters: [],
      now: NOW,
    });
    expect(byDomain.groups.map(g => g.key)).toEqual([...DOMAINS]);
    expect(byDomain.groups[0].averageScore).toBe(76.8);
  });
});

describe('trend', () => {
  it('replays score changes day by day', () => {
    const points = trend({
      days: 3,
      now: NOW,
      start: new Map([['a', { score: 50, grade: 'F' as Grade }]]),
      changes: [
        {
          entityRef: 'b',
          at: '2026-11-21T08:00:00.000Z',
          score: 90,
          grade: 'A',
        },
        {
          entityRef: 'a',
          at: '2026-11-22T09:00:00.000Z',
          score: 80,
          grade: 'B',
        },
      ],
      current: new Set(['a', 'b']),
    });
    expect(points).toEqual([
      { date: '2026-11-20', services: 1, averageScore: 50, shareBOrBetter: 0 },
      {
        date: '2026-11-21',
        services: 2,
        averageScore: 70,
        shareBOrBetter: 0.5,
      },
      { date: '2026-11-22', services: 2, averageScore: 85, shareBOrBetter: 1 },
    ]);
  });
});
