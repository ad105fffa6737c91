/*
 * Writing evaluations, in batches of 100 entities, one transaction each:
 * the latest posture row, the failing-check index, the scope index (tags,
 * namespaces, clusters) and a scope history row when the scope changed, a
 * score point when
 * something changed, and each result's status with its changes. Reads of
 * what was stored before are per batch, never per entity. The row's results
 * carry each failing result's `failingSince`, so the API serves the stored
 * JSON as it is (ANSWER_FORMAT); the whole answer is also stored
 * gzip-compressed, with its ETag, for the clients that accept gzip.
 */
import { setImmediate } from 'node:timers/promises';
import {
  CheckResult,
  Domain,
  DOMAINS,
  DomainGrade,
  failureCounts,
  PostureResult,
  PostureScore,
  resultKey,
} from '@internal/backstage-plugin-security-guardrails-common';
import { Knex } from 'knex';
import { compressAnswer } from './postureAnswer';
import {
  CheckHistoryRow,
  CheckStatusRow,
  chunks,
  PostureFacet,
  PostureFacetRow,
  ScopeHistoryRow,
  scopeStateFrom,
  PostureHistoryRow,
  PostureRow,
  TABLES,
} from '../../database/tables';
import {
  CheckCounts,
  PostureRecord,
  SaveOptions,
  SaveStats,
} from '../PostureStore';
import { bumpPostureVersion } from './postureVersion';
import { CachedAnswer, PostureWrite } from '../AnswerCache';

function domainGrades(score: PostureScore): Record<Domain, DomainGrade> {
  return Object.fromEntries(
    DOMAINS.map(d => [
      d,
      { score: score.domains[d].score, grade: score.domains[d].grade },
    ]),
  ) as Record<Domain, DomainGrade>;
}

const STATUS_INDEX = {
  pass: 0,
  fail: 1,
  warn: 2,
  exempt: 3,
  'not-applicable': 4,
} as const;

function checkCounts(results: CheckResult[]): Record<string, CheckCounts> {
  const out: Record<string, [number, number, number, number, number]> = {};
  for (const r of results) {
    const c = (out[r.checkId] ??= [0, 0, 0, 0, 0]);
    c[STATUS_INDEX[r.status]]++;
  }
  return out;
}

function namespacesOf(results: CheckResult[]): string[] {
  const set = new Set<string>();
  for (const r of results) {
    if (r.resource.cluster !== 'catalog' && r.resource.namespace)
      set.add(r.resource.namespace);
  }
  return [...set].sort();
}

/** From this row format on, the results hold failingSince (migration 20261203120000). */
export const RESULTS_WITH_SINCE = 1;
/**
 * The posture row's format: from 2, the row also holds its answer
 * compressed, its ETag and its failing check ids (migration 20261205140000).
 * An older version saving meanwhile writes an earlier format and leaves
 * those columns as they were, so they are read only from rows of this one.
 */
export const ANSWER_FORMAT = 2;

type StatusBefore = Pick<CheckStatusRow, 'status' | 'severity' | 'since'>;
type StatusesBefore = Map<string, Map<string, StatusBefore>>;

/** What the batch's entities had stored, by entity and result key. */
async function readStatuses(
  tx: Knex.Transaction,
  batch: PostureRecord[],
): Promise<StatusesBefore> {
  const existing: Array<
    Pick<
      CheckStatusRow,
      'entity_ref' | 'result_key' | 'status' | 'severity' | 'since'
    >
  > = await tx(TABLES.checkStatus)
    .whereIn(
      'entity_ref',
      batch.map(r => r.entityRef),
    )
    .select('entity_ref', 'result_key', 'status', 'severity', 'since');
  const byRef: StatusesBefore = new Map();
  for (const e of existing) {
    let m = byRef.get(e.entity_ref);
    if (!m) byRef.set(e.entity_ref, (m = new Map()));
    m.set(e.result_key, {
      status: e.status,
      severity: e.severity,
      since: e.since,
    });
  }
  return byRef;
}

/**
 * The results with each failing or warning result's `failingSince`: kept
 * from before while its status holds, `at` when it is new or changed.
 */
function withFailingSince(
  results: CheckResult[],
  before: Map<string, StatusBefore> | undefined,
  at: string,
): PostureResult[] {
  return results.map(r => {
    if (r.status !== 'fail' && r.status !== 'warn') return r;
    const prev = before?.get(resultKey(r));
    return {
      ...r,
      failingSince: prev && prev.status === r.status ? prev.since : at,
    };
  });
}

/** The ids of the failing checks, sorted, each once. */
function failingCheckIds(results: CheckResult[]): string[] {
  const ids = new Set<string>();
  for (const x of results) if (x.status === 'fail') ids.add(x.checkId);
  return [...ids].sort();
}

function postureRow(r: PostureRecord, results: PostureResult[]): PostureRow {
  const grade = (d: Domain) => r.score.domains[d].grade;
  return {
    entity_ref: r.entityRef,
    owner: r.owner ?? null,
    system: r.system ?? null,
    lifecycle: r.lifecycle ?? null,
    score: r.score.overall.score,
    grade: r.score.overall.grade,
    domain_grades: JSON.stringify(domainGrades(r.score)),
    grade_architecture: grade('architecture'),
    grade_implementation: grade('implementation'),
    grade_observability: grade('observability'),
    grade_response: grade('response'),
    grade_maintenance: grade('maintenance'),
    // Critical failing checks, as every view counts them.
    critical_failures: failureCounts(r.results).checksBySeverity.critical,
    stale: r.stale,
    mapped: r.mapped,
    namespaces: JSON.stringify(namespacesOf(r.results)),
    clusters: JSON.stringify(r.clusters),
    score_detail: JSON.stringify(r.score),
    results: JSON.stringify(results),
    check_counts: JSON.stringify(checkCounts(r.results)),
    evaluated_at: r.evaluatedAt,
    observed_at: r.observedAt ?? r.evaluatedAt,
    catalog_etag: r.catalogEtag ?? null,
    failing_checks: JSON.stringify(failingCheckIds(r.results)),
    answer_format: ANSWER_FORMAT,
  };
}

/** The failing-check index of a batch: one row per failing check id. */
async function writeFailing(tx: Knex.Transaction, batch: PostureRecord[]) {
  await tx(TABLES.postureFailing)
    .whereIn(
      'entity_ref',
      batch.map(r => r.entityRef),
    )
    .delete();
  const failing = batch.flatMap(r => {
    const ids = new Map<string, Domain>();
    for (const x of r.results)
      if (x.status === 'fail') ids.set(x.checkId, x.domain);
    return [...ids].map(([check_id, domain]) => ({
      entity_ref: r.entityRef,
      check_id,
      domain,
    }));
  });
  for (const part of chunks(failing, 300)) {
    await tx(TABLES.postureFailing).insert(part);
  }
}

/** What a posture is scoped by: its catalog tags, namespaces and clusters. */
function facetsOf(r: PostureRecord): PostureFacetRow[] {
  const rows = new Map<string, PostureFacetRow>();
  const add = (facet: PostureFacet, value: string) =>
    rows.set(`${facet}\u0000${value}`, {
      entity_ref: r.entityRef,
      facet,
      value,
    });
  for (const tag of r.tags ?? []) add('tag', tag);
  for (const namespace of namespacesOf(r.results)) add('namespace', namespace);
  for (const c of r.clusters) {
    if (c.cluster !== 'catalog') add('cluster', c.cluster);
  }
  return [...rows.values()];
}

/**
 * A scope history row for each posture whose scope state changed since its
 * last row (or that has none yet); which those are. The last rows are read
 * once per batch.
 */
async function appendScopeHistory(
  tx: Knex.Transaction,
  batch: PostureRecord[],
  at: string,
): Promise<PostureRecord[]> {
  const last: Array<Pick<ScopeHistoryRow, 'entity_ref' | 'scope'>> =
    await latestRows(
      tx,
      TABLES.scopeHistory,
      batch.map(r => r.entityRef),
      ['scope'],
    );
  const lastByRef = new Map(last.map(l => [l.entity_ref, l.scope]));
  const rows: Array<Omit<ScopeHistoryRow, 'id'>> = [];
  const changed: PostureRecord[] = [];
  for (const r of batch) {
    const scope = JSON.stringify(scopeStateFrom(r, facetsOf(r)));
    if (lastByRef.get(r.entityRef) !== scope) {
      rows.push({ entity_ref: r.entityRef, at, scope });
      changed.push(r);
    }
  }
  for (const part of chunks(rows, 200)) {
    await tx(TABLES.scopeHistory).insert(part);
  }
  return changed;
}

/**
 * The scope index of postures whose scope changed, replaced (the scope
 * history says which: an unchanged scope has the same facets).
 */
async function writeFacets(tx: Knex.Transaction, batch: PostureRecord[]) {
  if (!batch.length) return;
  await tx(TABLES.postureFacets)
    .whereIn(
      'entity_ref',
      batch.map(r => r.entityRef),
    )
    .delete();
  for (const part of chunks(batch.flatMap(facetsOf), 300)) {
    await tx(TABLES.postureFacets).insert(part);
  }
}

/** The latest row (highest id) of each of some entities in a history table. */
function latestRows(
  tx: Knex.Transaction,
  table: string,
  entityRefs: string[],
  columns: string[],
) {
  return tx(`${table} as h`)
    .join(
      tx(table)
        .select('entity_ref')
        .max({ id: 'id' })
        .whereIn('entity_ref', entityRefs)
        .groupBy('entity_ref')
        .as('m'),
      'h.id',
      'm.id',
    )
    .select('h.entity_ref', ...columns.map(c => `h.${c}`));
}

/** A score point for each posture whose score or a grade changed; how many. */
async function appendScoreHistory(
  tx: Knex.Transaction,
  rows: PostureRow[],
  at: string,
): Promise<number> {
  const last: Array<
    Pick<PostureHistoryRow, 'entity_ref' | 'score' | 'grade' | 'domain_grades'>
  > = await latestRows(
    tx,
    TABLES.postureHistory,
    rows.map(r => r.entity_ref),
    ['score', 'grade', 'domain_grades'],
  );
  const lastByRef = new Map(last.map(l => [l.entity_ref, l]));
  const points: Array<Omit<PostureHistoryRow, 'id'>> = [];
  for (const row of rows) {
    const prev = lastByRef.get(row.entity_ref);
    const changed =
      !prev ||
      (prev.score === null ? null : Number(prev.score)) !== row.score ||
      (prev.grade ?? null) !== row.grade ||
      prev.domain_grades !== row.domain_grades;
    if (changed) {
      points.push({
        entity_ref: row.entity_ref,
        at,
        score: row.score,
        grade: row.grade,
        domain_grades: row.domain_grades,
      });
    }
  }
  for (const part of chunks(points, 200)) {
    await tx(TABLES.postureHistory).insert(part);
  }
  return points.length;
}

/**
 * Each result's status: a new or changed status starts its "since" and
 * records a change; a severity that moved is updated in place; results that
 * went away are removed and recorded as such. How many changes.
 */
async function writeCheckStatus(
  tx: Knex.Transaction,
  batch: PostureRecord[],
  at: string,
  existingByRef: StatusesBefore,
): Promise<number> {
  const upserts: CheckStatusRow[] = [];
  const changes: Array<Omit<CheckHistoryRow, 'id'>> = [];
  for (const r of batch) {
    const before =
      existingByRef.get(r.entityRef) ?? new Map<string, StatusBefore>();
    const seen = new Set<string>();
    for (const result of r.results) {
      const key = resultKey(result);
      if (seen.has(key)) continue;
      seen.add(key);
      const prev = before.get(key);
      if (!prev || prev.status !== result.status) {
        upserts.push({
          entity_ref: r.entityRef,
          result_key: key,
          check_id: result.checkId,
          status: result.status,
          severity: result.severity,
          since: at,
        });
        changes.push({
          entity_ref: r.entityRef,
          result_key: key,
          check_id: result.checkId,
          from_status: prev?.status ?? null,
          to_status: result.status,
          at,
        });
      } else if (prev.severity !== result.severity) {
        await tx(TABLES.checkStatus)
          .where({ entity_ref: r.entityRef, result_key: key })
          .update({ severity: result.severity });
      }
    }
    const gone = [...before.keys()].filter(k => !seen.has(k));
    for (const part of chunks(gone, 200)) {
      await tx(TABLES.checkStatus)
        .where('entity_ref', r.entityRef)
        .whereIn('result_key', part)
        .delete();
    }
    for (const key of gone) {
      changes.push({
        entity_ref: r.entityRef,
        result_key: key,
        check_id: key.split('|')[0],
        from_status: before.get(key)!.status,
        to_status: 'removed',
        at,
      });
    }
  }
  for (const part of chunks(upserts, 100)) {
    await tx(TABLES.checkStatus)
      .insert(part)
      .onConflict(['entity_ref', 'result_key'])
      .merge(['check_id', 'status', 'severity', 'since']);
  }
  for (const part of chunks(changes, 100)) {
    await tx(TABLES.checkHistory).insert(part);
  }
  return changes.length;
}

/**
 * The batch without the records whose stored posture was observed later
 * (on PostgreSQL the stored rows stay locked until the batch commits, so a
 * watched change saved meanwhile waits and is not lost either way).
 */
async function withoutNewer(
  tx: Knex.Transaction,
  batch: PostureRecord[],
  postgres: boolean,
): Promise<PostureRecord[]> {
  const query = tx(TABLES.posture)
    .whereIn(
      'entity_ref',
      batch.map(r => r.entityRef),
    )
    .whereNotNull('observed_at')
    .select('entity_ref', 'observed_at');
  const stored: Array<Pick<PostureRow, 'entity_ref' | 'observed_at'>> =
    await (postgres ? query.forUpdate() : query);
  if (stored.length === 0) return batch;
  const observed = new Map(stored.map(r => [r.entity_ref, r.observed_at]));
  return batch.filter(r => {
    const newer = observed.get(r.entityRef);
    return !newer || newer <= (r.observedAt ?? r.evaluatedAt);
  });
}

/**
 * Saves the records in transactions of a few; `wrote`, when given, hears of
 * each committed transaction: the versions and the answers it wrote.
 */
export async function savePostures(
  db: Knex,
  records: PostureRecord[],
  now: Date,
  options: SaveOptions = {},
  wrote?: (change: PostureWrite) => void,
): Promise<SaveStats> {
  const at = now.toISOString();
  const stats: SaveStats = {
    saved: 0,
    scoreChanges: 0,
    checkChanges: 0,
    keptNewer: 0,
  };
  // SQLite's driver is synchronous and has one connection: the event loop,
  // the sweep and the API wait for each transaction (about 5 ms a posture at
  // 10,000 services), so its transactions are small: five postures.
  // PostgreSQL's queries are I/O the event loop goes on during.
  const sqlite = String(db.client.config.client).includes('sqlite');
  for (const all of chunks(records, sqlite ? 5 : 100)) {
    const change = await db.transaction(async tx => {
      const batch = options.keepNewer
        ? await withoutNewer(tx, all, !sqlite)
        : all;
      stats.keptNewer += all.length - batch.length;
      if (batch.length === 0) return undefined;
      const before = await readStatuses(tx, batch);
      const rows = await Promise.all(
        batch.map(async r => {
          const row = postureRow(
            r,
            withFailingSince(r.results, before.get(r.entityRef), at),
          );
          return { ...row, ...(await compressAnswer(row)) };
        }),
      );
      await tx(TABLES.posture).insert(rows).onConflict('entity_ref').merge();
      const versions = await bumpPostureVersion(tx);
      await writeFailing(tx, batch);
      await writeFacets(tx, await appendScopeHistory(tx, batch, at));
      stats.scoreChanges += await appendScoreHistory(tx, rows, at);
      stats.checkChanges += await writeCheckStatus(tx, batch, at, before);
      stats.saved += batch.length;
      const answers = new Map<string, CachedAnswer>(
        rows.map(r => [
          r.entity_ref,
          { gzip: r.answer_gzip, etag: r.answer_etag },
        ]),
      );
      return { ...versions, answers };
    });
    if (change) wrote?.(change);
    // Let timers and I/O in between batches: SQLite's driver is synchronous.
    await setImmediate();
  }
  return stats;
}
