/*
 * Org-wide rollups, computed from the light columns of every posture and the
 * score each entity had 7 and 30 days ago. Pure functions: the numbers a
 * security lead sees can be checked by hand.
 */
import {
  CheckPassRate,
  Domain,
  DOMAINS,
  DomainGrade,
  Grade,
  isGradeAtLeast,
  PostureSummary,
  ScoreMover,
  SummaryGroup,
  SummaryGroupBy,
  TrendPoint,
} from '@internal/backstage-plugin-security-guardrails-common';
import { PostureSummaryRow } from './PostureStore';

export type PastScores = Map<
  string,
  {
    score: number | null;
    grade: Grade | null;
    domains: Record<Domain, DomainGrade>;
  }
>;

interface Member {
  row: PostureSummaryRow;
  /** The score that counts for this group: overall, or one domain's. */
  score: number | null;
  grade: Grade | null;
  past7: number | null;
  past30: number | null;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function average(values: number[]): number | null {
  return values.length
    ? round1(values.reduce((a, b) => a + b, 0) / values.length)
    : null;
}

function change(
  members: Member[],
  pick: (m: Member) => number | null,
): number | null {
  const both = members.filter(m => m.score !== null && pick(m) !== null);
  if (both.length === 0) return null;
  const now = both.reduce((a, m) => a + (m.score as number), 0) / both.length;
  const then = both.reduce((a, m) => a + (pick(m) as number), 0) / both.length;
  return round1(now - then);
}

function group(key: string, members: Member[]): SummaryGroup {
  const grades: SummaryGroup['grades'] = {
    A: 0,
    B: 0,
    C: 0,
    D: 0,
    F: 0,
    none: 0,
  };
  const scored: number[] = [];
  let bOrBetter = 0;
  let critical = 0;
  let criticalServices = 0;
  for (const m of members) {
    grades[m.grade ?? 'none'] += 1;
    if (m.score !== null) scored.push(m.score);
    if (m.grade && isGradeAtLeast(m.grade, 'B')) bOrBetter++;
    critical += m.row.criticalFailures;
    if (m.row.criticalFailures > 0) criticalServices++;
  }
  return {
    key,
    services: members.length,
    averageScore: average(scored),
    grades,
    shareBOrBetter: scored.length
      ? round1((bOrBetter / scored.length) * 1000) / 1000
      : null,
    criticalFailures: critical,
    servicesWithCriticalFailures: criticalServices,
    change7d: change(members, m => m.past7),
    change30d: change(members, m => m.past30),
  };
}

function movers(
  rows: PostureSummaryRow[],
  past: PastScores,
  direction: 1 | -1,
  limit = 5,
): ScoreMover[] {
  const out: ScoreMover[] = [];
  for (const row of rows) {
    const then = past.get(row.entityRef)?.score;
    if (row.score === null || then === null || then === undefined) continue;
    const delta = row.score - then;
    if (delta * direction > 0) {
      out.push({
        entityRef: row.entityRef,
        owner: row.owner,
        from: then,
        to: row.score,
        delta,
      });
    }
  }
  return out
    .sort(
      (a, b) =>
        direction * (b.delta - a.delta) || (a.entityRef < b.entityRef ? -1 : 1),
    )
    .slice(0, limit);
}

export function passRates(
  rows: PostureSummaryRow[],
  domainOf: (checkId: string) => Domain | undefined,
): CheckPassRate[] {
  const totals = new Map<string, number[]>();
  for (const row of rows) {
    for (const [checkId, counts] of Object.entries(row.checkCounts)) {
      const t = totals.get(checkId) ?? [0, 0, 0, 0, 0];
      for (let i = 0; i < 5; i++) t[i] += counts[i] ?? 0;
      totals.set(checkId, t);
    }
  }
  return [...totals]
    .map(([checkId, [pass, fail, warn, exempt, notApplicable]]) => ({
      checkId,
      domain: domainOf(checkId) ?? 'implementation',
      pass,
      fail,
      warn,
      exempt,
      notApplicable,
      rate:
        pass + fail + warn > 0
          ? round1((pass / (pass + fail + warn)) * 1000) / 1000
          : null,
    }))
    .sort(
      (a, b) =>
        (a.rate ?? 2) - (b.rate ?? 2) || (a.checkId < b.checkId ? -1 : 1),
    );
}

export function summarize(options: {
  rows: PostureSummaryRow[];
  groupBy: SummaryGroupBy;
  past7: PastScores;
  past30: PastScores;
  domainOf: (checkId: string) => Domain | undefined;
  clusters: PostureSummary['clusters'];
  now: Date;
}): PostureSummary {
  const { rows, groupBy, past7, past30 } = options;
  const overallMembers: Member[] = rows.map(row => ({
    row,
    score: row.score,
    grade: row.grade,
    past7: past7.get(row.entityRef)?.score ?? null,
    past30: past30.get(row.entityRef)?.score ?? null,
  }));

  const groups = new Map<string, Member[]>();
  const add = (key: string, m: Member) => {
    const list = groups.get(key) ?? [];
    list.push(m);
    groups.set(key, list);
  };
  if (groupBy === 'domain') {
    for (const row of rows) {
      for (const d of DOMAINS) {
        add(d, {
          row,
          score: row.domains[d]?.score ?? null,
          grade: row.domains[d]?.grade ?? null,
          past7: past7.get(row.entityRef)?.domains?.[d]?.score ?? null,
          past30: past30.get(row.entityRef)?.domains?.[d]?.score ?? null,
        });
      }
    }
  } else {
    for (const m of overallMembers) {
      if (groupBy === 'owner') add(m.row.owner ?? '(no owner)', m);
      else if (groupBy === 'system') add(m.row.system ?? '(no system)', m);
      else if (groupBy === 'lifecycle') {
        add(m.row.lifecycle ?? '(no lifecycle)', m);
      } else {
        const namespaces = m.row.namespaces.length
          ? m.row.namespaces
          : ['(no namespace)'];
        for (const ns of namespaces) add(ns, m);
      }
    }
  }
  const order =
    groupBy === 'domain'
      ? (k: string) => DOMAINS.indexOf(k as Domain)
      : undefined;
  const groupList = [...groups]
    .map(([key, members]) => group(key, members))
    .sort((a, b) =>
      order
        ? order(a.key) - order(b.key)
        : (a.averageScore ?? 101) - (b.averageScore ?? 101) ||
          (a.key < b.key ? -1 : 1),
    );

  return {
    groupBy,
    generatedAt: options.now.toISOString(),
    overall: group('all', overallMembers),
    groups: groupList,
    passRateByCheck: passRates(rows, options.domainOf),
    mostImproved: {
      days7: movers(rows, past7, 1),
      days30: movers(rows, past30, 1),
    },
    mostRegressed: {
      days7: movers(rows, past7, -1),
      days30: movers(rows, past30, -1),
    },
    clusters: options.clusters,
  };
}

/**
 * Daily points for the last `days` days: each entity's score in force at the
 * end of the day, averaged, and the share graded B or better.
 */
export function trend(options: {
  days: number;
  now: Date;
  /** Scores in force at the start of the window. */
  start: Map<string, { score: number | null; grade: Grade | null }>;
  /** Changes inside the window, in time order. */
  changes: Array<{
    entityRef: string;
    at: string;
    score: number | null;
    grade: Grade | null;
  }>;
  /** Entities that still exist (others are left out). */
  current: Set<string>;
}): TrendPoint[] {
  const state = new Map(options.start);
  const points: TrendPoint[] = [];
  let i = 0;
  const dayMs = 24 * 3600 * 1000;
  const todayEnd =
    Date.UTC(
      options.now.getUTCFullYear(),
      options.now.getUTCMonth(),
      options.now.getUTCDate(),
    ) +
    dayMs -
    1;
  for (let d = options.days - 1; d >= 0; d--) {
    const end = new Date(todayEnd - d * dayMs);
    const endIso = end.toISOString();
    while (i < options.changes.length && options.changes[i].at <= endIso) {
      const c = options.changes[i++];
      state.set(c.entityRef, { score: c.score, grade: c.grade });
    }
    const scored: number[] = [];
    let good = 0;
    let services = 0;
    for (const [ref, s] of state) {
      if (!options.current.has(ref)) continue;
      services++;
      if (s.score !== null) {
        scored.push(s.score);
        if (s.grade && isGradeAtLeast(s.grade, 'B')) good++;
      }
    }
    points.push({
      date: endIso.slice(0, 10),
      services,
      averageScore: average(scored),
      shareBOrBetter: scored.length
        ? round1((good / scored.length) * 1000) / 1000
        : null,
    });
  }
  return points;
}
