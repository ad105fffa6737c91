/*
 * A campaign's burn-down, replayed from the history the posture store keeps:
 * the scope history (who was in scope each day), the score history (the
 * grades) and the check history (the target checks' results).
 */
import {
  Campaign,
  compareStrings,
  Grade,
} from '@internal/backstage-plugin-security-guardrails-common';
import { Knex } from 'knex';
import {
  chunks,
  PostureFacetRow,
  PostureRow,
  ScopeHistoryRow,
  ScopeState,
  scopeStateFrom,
  TABLES,
} from '../database/tables';
import { gradeRule, scopeCovers } from './scope';

const DAY_MS = 86_400_000;

/**
 * Every service's scope state over time, oldest first: its scope history
 * and, for a service with none (stored before it was kept), its posture
 * row and facets now. A null state: it left the catalog.
 */
async function scopeTimeline(
  db: Knex,
): Promise<Array<{ ref: string; at: string; state: ScopeState | null }>> {
  // In time order: a later save may carry an earlier time (a replay, a test).
  const rows: Array<Omit<ScopeHistoryRow, 'id'>> = await db(TABLES.scopeHistory)
    .orderBy('at', 'asc')
    .orderBy('id', 'asc')
    .select('entity_ref', 'at', 'scope');
  const timeline = rows.map(r => ({
    ref: r.entity_ref,
    at: r.at,
    state: r.scope === null ? null : (JSON.parse(r.scope) as ScopeState),
  }));
  const known = new Set(timeline.map(t => t.ref));
  const postures: Array<
    Pick<PostureRow, 'entity_ref' | 'owner' | 'system' | 'lifecycle'>
  > = await db(TABLES.posture).select(
    'entity_ref',
    'owner',
    'system',
    'lifecycle',
  );
  const unknown = postures.filter(p => !known.has(p.entity_ref));
  if (unknown.length) {
    const facets: PostureFacetRow[] = await db(TABLES.postureFacets).select(
      'entity_ref',
      'facet',
      'value',
    );
    const byRef = new Map<string, PostureFacetRow[]>();
    for (const f of facets) {
      const list = byRef.get(f.entity_ref) ?? [];
      list.push(f);
      byRef.set(f.entity_ref, list);
    }
    // Before every recorded change ('' sorts first).
    return [
      ...unknown.map(p => ({
        ref: p.entity_ref,
        at: '',
        state: scopeStateFrom(p, byRef.get(p.entity_ref) ?? []),
      })),
      ...timeline,
    ];
  }
  return timeline;
}

/**
 * Services done at the end of each day, from `from` to `to`, replayed from
 * the check history (each result's first status and every change are
 * recorded), the score history and the scope history: each day counts the
 * services in the campaign's scope that day (a service's earliest known
 * scope stands for its days before). Also the services done on some day
 * since the start that are not done at the end. Only the target checks'
 * events and the score points of services ever in scope are used.
 */
export async function replayBurndown(
  db: Knex,
  c: Campaign,
  range: { from: number; to: number },
): Promise<{
  points: Array<{ date: string; services: number; done: number }>;
  regressed: Array<{ entityRef: string; owner?: string; metOn: string }>;
}> {
  const rule = gradeRule(c);
  const endIso = new Date(range.to).toISOString();
  const timeline = await scopeTimeline(db);
  // Each service's scope state now: its earliest known, until its changes apply.
  const stateOf = new Map<string, ScopeState | null>();
  const ever = new Set<string>();
  for (const t of timeline) {
    if (!stateOf.has(t.ref)) stateOf.set(t.ref, t.state);
    if (t.state && t.at <= endIso && scopeCovers(c.scope, t.state)) {
      ever.add(t.ref);
    }
  }
  // A service whose earliest state is after the range still stands for its past.
  for (const [ref, state] of stateOf) {
    if (state && scopeCovers(c.scope, state)) ever.add(ref);
  }
  const scopeEvents = timeline.filter(t => t.at !== '' && ever.has(t.ref));
  const checkEvents: Array<{
    entity_ref: string;
    result_key: string;
    to_status: string;
    at: string;
  }> = c.target.checkIds.length
    ? (
        await db(TABLES.checkHistory)
          .whereIn('check_id', c.target.checkIds)
          .where('at', '<=', endIso)
          .orderBy('at', 'asc')
          .orderBy('id', 'asc')
          .select('entity_ref', 'result_key', 'to_status', 'at')
      ).filter((e: { entity_ref: string }) => ever.has(e.entity_ref))
    : [];
  // Every score point of those services: when each first had a posture, and its grades.
  const scoreEvents: Array<{
    id: number | string;
    entity_ref: string;
    at: string;
    grade: Grade | null;
    domain_grades: string;
  }> = [];
  for (const part of chunks([...ever], 500)) {
    scoreEvents.push(
      ...(await db(TABLES.postureHistory)
        .whereIn('entity_ref', part)
        .where('at', '<=', endIso)
        .select('id', 'entity_ref', 'at', 'grade', 'domain_grades')),
    );
  }
  scoreEvents.sort(
    (a, b) => compareStrings(a.at, b.at) || Number(a.id) - Number(b.id),
  );

  const failing = new Map<string, Set<string>>(); // entity -> failing result keys
  const gradeOk = new Map<string, boolean>(); // entity -> meets the grade (exists once seen)
  const metOn = new Map<string, string>();
  const points: Array<{ date: string; services: number; done: number }> = [];
  const start = Date.parse(c.startsAt);
  let ci = 0;
  let si = 0;
  let ti = 0;
  const covered = (ref: string) => {
    const state = stateOf.get(ref);
    return Boolean(state && scopeCovers(c.scope, state));
  };
  const isDone = (ref: string) =>
    gradeOk.get(ref) === true && (failing.get(ref)?.size ?? 0) === 0;
  for (let day = range.from; day <= range.to; day += DAY_MS) {
    const dayEnd = new Date(Math.min(day + DAY_MS - 1, range.to)).toISOString();
    for (; si < scoreEvents.length && scoreEvents[si].at <= dayEnd; si++) {
      const e = scoreEvents[si];
      let grade = e.grade;
      if (c.target.domain) {
        const domains = JSON.parse(e.domain_grades || '{}');
        grade = domains[c.target.domain]?.grade ?? null;
      }
      gradeOk.set(
        e.entity_ref,
        rule ? grade !== null && rule.grades.includes(grade) : true,
      );
    }
    for (; ti < scopeEvents.length && scopeEvents[ti].at <= dayEnd; ti++) {
      stateOf.set(scopeEvents[ti].ref, scopeEvents[ti].state);
    }
    for (; ci < checkEvents.length && checkEvents[ci].at <= dayEnd; ci++) {
      const e = checkEvents[ci];
      const set = failing.get(e.entity_ref) ?? new Set<string>();
      if (e.to_status === 'fail') set.add(e.result_key);
      else set.delete(e.result_key);
      failing.set(e.entity_ref, set);
    }
    let services = 0;
    let done = 0;
    for (const ref of ever) {
      if (!covered(ref)) continue; // out of scope that day
      if (!gradeOk.has(ref)) continue; // no posture yet that day
      services++;
      if (isDone(ref)) {
        done++;
        if (day + DAY_MS > start && !metOn.has(ref)) {
          metOn.set(ref, dayEnd.slice(0, 10));
        }
      }
    }
    points.push({ date: dayEnd.slice(0, 10), services, done });
  }
  const regressed = [...metOn]
    .filter(([ref]) => covered(ref) && !isDone(ref))
    .map(([ref, on]) => {
      const owner = stateOf.get(ref)?.owner;
      return { entityRef: ref, ...(owner ? { owner } : {}), metOn: on };
    })
    .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  return { points, regressed };
}
