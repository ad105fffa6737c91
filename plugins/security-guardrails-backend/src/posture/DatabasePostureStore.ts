/*
 * The posture store over the plugin's database (SQLite or PostgreSQL): see
 * PostureStore for what it keeps. Writing evaluations is in
 * operations/savePostures.ts; the tables are in database/tables.ts.
 *
 * Over 400 lines: one class per store; the heavy write is operations/savePostures.ts.
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  CheckResult,
  CheckStatusChange,
  ClusterDataStatus,
  Domain,
  DomainGrade,
  EntityPosture,
  Grade,
  PostureListItem,
  resultKey,
  ScorePoint,
  UnownedFindings,
} from '@internal/backstage-plugin-security-guardrails-common';
import { Knex } from 'knex';
import { connect } from '../database/migrate';
import {
  chunks,
  parseJson as parse,
  PostureRow,
  TABLES,
} from '../database/tables';
import {
  AnswerParts,
  answerJson,
  decompressAnswer,
} from './operations/postureAnswer';
import {
  ANSWER_FORMAT,
  RESULTS_WITH_SINCE,
  savePostures,
} from './operations/savePostures';
import {
  bumpPostureVersion,
  readPostureVersion,
} from './operations/postureVersion';
import { AnswerCache, CachedAnswer } from './AnswerCache';
import {
  ListFilter,
  PostureAnswer,
  PostureRecord,
  PostureStore,
  PostureSummaryRow,
  SaveOptions,
  SaveStats,
  ScoreAt,
} from './PostureStore';

type ListRow = Pick<
  PostureRow,
  | 'entity_ref'
  | 'owner'
  | 'system'
  | 'lifecycle'
  | 'score'
  | 'grade'
  | 'domain_grades'
  | 'critical_failures'
  | 'stale'
  | 'mapped'
  | 'evaluated_at'
>;

function toListItem(row: ListRow, failing: string[]): PostureListItem {
  return {
    entityRef: row.entity_ref,
    owner: row.owner ?? undefined,
    system: row.system ?? undefined,
    ...(row.lifecycle ? { lifecycle: row.lifecycle } : {}),
    score:
      row.score === null || row.score === undefined ? null : Number(row.score),
    grade: row.grade ?? null,
    domains: parse(row.domain_grades, {} as Record<Domain, DomainGrade>),
    criticalFailures: Number(row.critical_failures ?? 0),
    failingChecks: failing,
    stale: Boolean(row.stale),
    mapped: Boolean(row.mapped),
    evaluatedAt: row.evaluated_at,
  };
}

type PostureAnswerRow = AnswerParts & Pick<PostureRow, 'answer_format'>;

/** Answers kept in memory (AnswerCache); off when not given or `maxBytes` is 0. */
export interface AnswerCacheOptions {
  maxBytes: number;
  /** How long another replica's change may take to show here. */
  maxStalenessMs: number;
}

export class DatabasePostureStore implements PostureStore {
  readonly #db: Knex;
  readonly #cache: AnswerCache | undefined;

  /** The store over the plugin's database, migrated unless the deployment manages migrations. */
  static async create(options: {
    database: DatabaseService;
    answerCache?: AnswerCacheOptions;
  }): Promise<DatabasePostureStore> {
    return new DatabasePostureStore(
      await connect(options.database),
      options.answerCache,
    );
  }

  private constructor(db: Knex, answerCache?: AnswerCacheOptions) {
    this.#db = db;
    this.#cache = answerCache?.maxBytes
      ? new AnswerCache({
          ...answerCache,
          readVersion: () => readPostureVersion(db),
        })
      : undefined;
  }

  /** The answers held in memory, when that is on. */
  get answerCache(): AnswerCache | undefined {
    return this.#cache;
  }

  async save(
    records: PostureRecord[],
    now: Date = new Date(),
    options: SaveOptions = {},
  ): Promise<SaveStats> {
    return savePostures(this.#db, records, now, options, change =>
      this.#cache?.wrote(change),
    );
  }

  /** Tells the cache of a committed change that leaves these entities without a kept answer. */
  #dropped(versions: { previous: string; current: string }, refs: string[]) {
    this.#cache?.wrote({
      ...versions,
      answers: new Map(refs.map(ref => [ref, undefined])),
    });
  }

  /**
   * Marks postures stale because a cluster they depend on could not be read;
   * the last good results stay, with that cluster's status updated.
   */
  async markStale(
    entityRefs: string[],
    cluster: ClusterDataStatus,
  ): Promise<void> {
    for (const part of chunks(entityRefs)) {
      const change = await this.#db.transaction(async tx => {
        const rows = await tx(TABLES.posture)
          .whereIn('entity_ref', part)
          .select('entity_ref', 'clusters');
        for (const row of rows) {
          const clusters = parse<ClusterDataStatus[]>(row.clusters, []);
          const updated = clusters.map(c =>
            c.cluster === cluster.cluster
              ? { ...c, status: cluster.status, message: cluster.message }
              : c,
          );
          await tx(TABLES.posture)
            .where('entity_ref', row.entity_ref)
            // The stored answer no longer matches: answered from the
            // columns until the next evaluation stores a new one.
            .update({
              stale: true,
              clusters: JSON.stringify(updated),
              answer_gzip: null,
              answer_etag: null,
            });
        }
        return rows.length ? bumpPostureVersion(tx) : undefined;
      });
      if (change) this.#dropped(change, part);
    }
  }

  /** Entities whose stored posture uses a cluster. */
  async entitiesInCluster(cluster: string): Promise<string[]> {
    const rows = await this.#db(TABLES.posture).select(
      'entity_ref',
      'clusters',
    );
    return rows
      .filter(r =>
        parse<ClusterDataStatus[]>(r.clusters, []).some(
          c => c.cluster === cluster,
        ),
      )
      .map(r => r.entity_ref);
  }

  /** Every stored entity with the catalog etag its posture was computed from (null when unknown). */
  async evaluatedVersions(): Promise<Map<string, string | null>> {
    const rows: Array<{ entity_ref: string; catalog_etag: string | null }> =
      await this.#db(TABLES.posture).select('entity_ref', 'catalog_etag');
    return new Map(rows.map(r => [r.entity_ref, r.catalog_etag ?? null]));
  }

  async listEntityRefs(): Promise<string[]> {
    const rows = await this.#db(TABLES.posture).select('entity_ref');
    return rows.map(r => r.entity_ref);
  }

  /** Forgets entities that left the catalog (their score history ages out with retention). */
  async deleteEntities(entityRefs: string[]): Promise<void> {
    for (const part of chunks(entityRefs, 300)) {
      const change = await this.#db.transaction(async tx => {
        await tx(TABLES.posture).whereIn('entity_ref', part).delete();
        await tx(TABLES.postureFailing).whereIn('entity_ref', part).delete();
        await tx(TABLES.postureFacets).whereIn('entity_ref', part).delete();
        // Gone from the catalog: in no campaign's scope from now on.
        const at = new Date().toISOString();
        await tx(TABLES.scopeHistory).insert(
          part.map(entity_ref => ({ entity_ref, at, scope: null })),
        );
        await tx(TABLES.checkStatus).whereIn('entity_ref', part).delete();
        return bumpPostureVersion(tx);
      });
      this.#dropped(change, part);
    }
  }

  async get(entityRef: string): Promise<EntityPosture | undefined> {
    const answer = await this.getAnswer(entityRef);
    return answer === undefined
      ? undefined
      : JSON.parse(answer.body.toString());
  }

  /**
   * The entity's posture as the API answers it. A row stored with its
   * compressed answer is sent as stored, or decompressed for a client that
   * does not accept gzip. Any other row is put together from its stored
   * JSON columns as they are, without parsing the results; a row older than
   * RESULTS_WITH_SINCE is parsed and given each failing result's `failingSince`
   * from the status index.
   */
  async getAnswer(
    entityRef: string,
    options: { gzip?: boolean } = {},
  ): Promise<PostureAnswer | undefined> {
    const compressed = this.#cache
      ? await this.#cache.get(entityRef, () =>
          this.#compressedAnswer(entityRef),
        )
      : await this.#compressedAnswer(entityRef);
    if (compressed) {
      return options.gzip
        ? { body: compressed.gzip, encoding: 'gzip', etag: compressed.etag }
        : {
            body: await decompressAnswer(compressed.gzip),
            encoding: 'identity',
            etag: compressed.etag,
          };
    }
    const row: PostureAnswerRow | undefined = await this.#db(TABLES.posture)
      .where('entity_ref', entityRef)
      .first(
        'entity_ref',
        'evaluated_at',
        'clusters',
        'stale',
        'mapped',
        'score_detail',
        'results',
        'answer_format',
      );
    if (!row) return undefined;
    const results =
      Number(row.answer_format) >= RESULTS_WITH_SINCE
        ? row.results
        : await this.#resultsWithSince(row);
    return { body: answerJson({ ...row, results }), encoding: 'identity' };
  }

  /** The stored compressed answer, when the row holds one of the current format. */
  async #compressedAnswer(
    entityRef: string,
  ): Promise<CachedAnswer | undefined> {
    const stored:
      | Pick<PostureRow, 'answer_gzip' | 'answer_etag' | 'answer_format'>
      | undefined = await this.#db(TABLES.posture)
      .where('entity_ref', entityRef)
      .first('answer_gzip', 'answer_etag', 'answer_format');
    return stored &&
      Number(stored.answer_format) >= ANSWER_FORMAT &&
      stored.answer_gzip &&
      stored.answer_etag
      ? { gzip: stored.answer_gzip, etag: stored.answer_etag }
      : undefined;
  }

  /** A row of the older format's results, with failingSince from the status index. */
  async #resultsWithSince(row: PostureAnswerRow): Promise<string> {
    const since = await this.#db(TABLES.checkStatus)
      .where('entity_ref', row.entity_ref)
      .whereIn('status', ['fail', 'warn'])
      .select('result_key', 'since');
    const sinceByKey = new Map<string, string>(
      since.map(x => [x.result_key, x.since]),
    );
    const results = parse<CheckResult[]>(row.results, []).map(r => {
      const s =
        r.status === 'fail' || r.status === 'warn'
          ? sinceByKey.get(resultKey(r))
          : undefined;
      return s ? { ...r, failingSince: s } : r;
    });
    return JSON.stringify(results);
  }

  /**
   * The fail and warn results of some checks across every stored posture,
   * by entity. The check-status index finds the entities; only their rows
   * are read.
   */
  async flagged(
    checkIds: string[],
  ): Promise<Array<{ entityRef: string; result: CheckResult }>> {
    const refs = await this.#db(TABLES.checkStatus)
      .whereIn('check_id', checkIds)
      .whereIn('status', ['fail', 'warn'])
      .distinct('entity_ref')
      .orderBy('entity_ref');
    const wanted = new Set(checkIds);
    const items: Array<{ entityRef: string; result: CheckResult }> = [];
    for (const part of chunks(
      refs.map((r: { entity_ref: string }) => r.entity_ref),
      300,
    )) {
      const rows = await this.#db(TABLES.posture)
        .whereIn('entity_ref', part)
        .orderBy('entity_ref')
        .select('entity_ref', 'results');
      for (const row of rows) {
        for (const r of parse<CheckResult[]>(row.results, [])) {
          if (!wanted.has(r.checkId)) continue;
          if (r.status !== 'fail' && r.status !== 'warn') continue;
          items.push({ entityRef: row.entity_ref, result: r });
        }
      }
    }
    return items;
  }

  /** The clusters and namespaces where an entity's objects are, from its latest posture. */
  async targets(
    entityRef: string,
  ): Promise<Array<{ cluster: string; namespaces: string[] }>> {
    const row = await this.#db(TABLES.posture)
      .where('entity_ref', entityRef)
      .select('results')
      .first();
    const byCluster = new Map<string, Set<string>>();
    for (const r of parse<CheckResult[]>(row?.results, [])) {
      if (r.resource.cluster === 'catalog' || !r.resource.namespace) continue;
      const set = byCluster.get(r.resource.cluster) ?? new Set<string>();
      set.add(r.resource.namespace);
      byCluster.set(r.resource.cluster, set);
    }
    return [...byCluster]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([cluster, namespaces]) => ({
        cluster,
        namespaces: [...namespaces].sort(),
      }));
  }

  /** Score points and check changes in [from, to], with the score in force at `from`. */
  async history(entityRef: string, from: string, to: string) {
    const before = await this.#db(TABLES.postureHistory)
      .where('entity_ref', entityRef)
      .where('at', '<', from)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .first();
    const inside = await this.#db(TABLES.postureHistory)
      .where('entity_ref', entityRef)
      .whereBetween('at', [from, to])
      .orderBy('at', 'asc')
      .orderBy('id', 'asc');
    const toPoint = (
      r: Pick<PostureRow, 'score' | 'grade' | 'domain_grades'> & { at: string },
    ): ScorePoint => ({
      at: r.at,
      score: r.score === null ? null : Number(r.score),
      grade: r.grade ?? null,
      domains: parse(r.domain_grades, {} as Record<Domain, DomainGrade>),
    });
    const scores = [
      ...(before ? [{ ...toPoint(before), at: from }] : []),
      ...inside.map(toPoint),
    ];
    const checkRows = await this.#db(TABLES.checkHistory)
      .where('entity_ref', entityRef)
      .whereBetween('at', [from, to])
      .orderBy('at', 'asc')
      .orderBy('id', 'asc')
      .limit(5000);
    const checks: CheckStatusChange[] = checkRows.map(r => ({
      at: r.at,
      checkId: r.check_id,
      resultKey: r.result_key,
      from: r.from_status ?? null,
      to: r.to_status,
    }));
    return { scores, checks };
  }

  /**
   * A page of postures ordered by entity ref. `after` is the last ref of the
   * previous page.
   */
  async list(
    filter: ListFilter,
    page: { after?: string; limit: number },
  ): Promise<PostureListItem[]> {
    const q = this.#db(`${TABLES.posture} as p`).select(
      'p.entity_ref',
      'p.owner',
      'p.system',
      'p.lifecycle',
      'p.score',
      'p.grade',
      'p.domain_grades',
      'p.critical_failures',
      'p.stale',
      'p.mapped',
      'p.evaluated_at',
    );
    if (filter.owner?.length) q.whereIn('p.owner', filter.owner);
    if (filter.system?.length) q.whereIn('p.system', filter.system);
    if (filter.lifecycle?.length) q.whereIn('p.lifecycle', filter.lifecycle);
    if (filter.entityRefs) q.whereIn('p.entity_ref', filter.entityRefs);
    if (filter.failingCheck) {
      q.whereExists(
        this.#db(`${TABLES.postureFailing} as f`)
          .whereRaw('f.entity_ref = p.entity_ref')
          .where('f.check_id', filter.failingCheck),
      );
    }
    if (filter.domain && !filter.grade?.length) {
      q.whereExists(
        this.#db(`${TABLES.postureFailing} as f`)
          .whereRaw('f.entity_ref = p.entity_ref')
          .where('f.domain', filter.domain),
      );
    }
    if (filter.grade?.length) {
      // The domain was validated against DOMAINS, so the column name is safe.
      q.whereIn(
        filter.domain ? `p.grade_${filter.domain}` : 'p.grade',
        filter.grade,
      );
    }
    if (page.after) q.where('p.entity_ref', '>', page.after);
    const rows: Array<
      ListRow & Pick<PostureRow, 'failing_checks' | 'answer_format'>
    > = await q
      .select('p.failing_checks', 'p.answer_format')
      .orderBy('p.entity_ref', 'asc')
      .limit(page.limit);
    // Each row holds its failing checks; a row an older version wrote is
    // looked up in the failing-check index, in one query for the page.
    const current = (r: Pick<PostureRow, 'answer_format'>) =>
      Number(r.answer_format) >= ANSWER_FORMAT;
    const older = rows.filter(r => !current(r)).map(r => r.entity_ref);
    const indexed = new Map<string, string[]>();
    if (older.length) {
      const failing: Array<{ entity_ref: string; check_id: string }> =
        await this.#db(TABLES.postureFailing)
          .whereIn('entity_ref', older)
          .select('entity_ref', 'check_id');
      for (const f of failing) {
        const ids = indexed.get(f.entity_ref);
        if (ids) ids.push(f.check_id);
        else indexed.set(f.entity_ref, [f.check_id]);
      }
    }
    return rows.map(r =>
      toListItem(
        r,
        current(r)
          ? parse<string[]>(r.failing_checks, [])
          : (indexed.get(r.entity_ref) ?? []).sort(),
      ),
    );
  }

  /** The light columns of every posture, for rollups. */
  async summaryRows(): Promise<PostureSummaryRow[]> {
    const rows = await this.#db(TABLES.posture).select(
      'entity_ref',
      'owner',
      'system',
      'lifecycle',
      'score',
      'grade',
      'domain_grades',
      'critical_failures',
      'namespaces',
      'check_counts',
    );
    return rows.map(r => ({
      entityRef: r.entity_ref,
      owner: r.owner ?? undefined,
      system: r.system ?? undefined,
      lifecycle: r.lifecycle ?? undefined,
      score: r.score === null ? null : Number(r.score),
      grade: r.grade ?? null,
      domains: parse(r.domain_grades, {} as Record<Domain, DomainGrade>),
      criticalFailures: Number(r.critical_failures ?? 0),
      namespaces: parse(r.namespaces, []),
      checkCounts: parse(r.check_counts, {}),
    }));
  }

  /** Each entity's score point in force at a time (the last change at or before it). */
  async scoresAt(at: string): Promise<Map<string, ScoreAt>> {
    const rows = await this.#db(`${TABLES.postureHistory} as h`)
      .join(
        this.#db(TABLES.postureHistory)
          .select('entity_ref')
          .max({ id: 'id' })
          .where('at', '<=', at)
          .groupBy('entity_ref')
          .as('m'),
        'h.id',
        'm.id',
      )
      .select('h.entity_ref', 'h.score', 'h.grade', 'h.domain_grades');
    return new Map(
      rows.map(r => [
        r.entity_ref,
        {
          score: r.score === null ? null : Number(r.score),
          grade: r.grade ?? null,
          domains: parse(r.domain_grades, {} as Record<Domain, DomainGrade>),
        },
      ]),
    );
  }

  /** Score points in a window, for trends. */
  async historyBetween(
    from: string,
    to: string,
  ): Promise<
    Array<{
      entityRef: string;
      at: string;
      score: number | null;
      grade: Grade | null;
    }>
  > {
    const rows = await this.#db(TABLES.postureHistory)
      .whereBetween('at', [from, to])
      .orderBy('at', 'asc')
      .orderBy('id', 'asc')
      .select('entity_ref', 'at', 'score', 'grade');
    return rows.map(r => ({
      entityRef: r.entity_ref,
      at: r.at,
      score: r.score === null ? null : Number(r.score),
      grade: r.grade ?? null,
    }));
  }

  /** A marker that changes whenever postures change, for caches: one row, read by key. */
  async version(): Promise<string> {
    return readPostureVersion(this.#db);
  }

  /**
   * Drops history older than the retention, keeping each entity's last score
   * point before the cut so its score at the start of the window stays known.
   */
  async prune(olderThan: string): Promise<number> {
    const keep = this.#db(TABLES.postureHistory)
      .select(this.#db.raw('max(id)'))
      .where('at', '<', olderThan)
      .groupBy('entity_ref');
    const scores = await this.#db(TABLES.postureHistory)
      .where('at', '<', olderThan)
      .whereNotIn('id', keep)
      .delete();
    const checks = await this.#db(TABLES.checkHistory)
      .where('at', '<', olderThan)
      .delete();
    // The scope each service had at the cutoff stays, as its score does.
    const keepScope = this.#db(TABLES.scopeHistory)
      .select(this.#db.raw('max(id)'))
      .where('at', '<', olderThan)
      .groupBy('entity_ref');
    const scopes = await this.#db(TABLES.scopeHistory)
      .where('at', '<', olderThan)
      .whereNotIn('id', keepScope)
      .delete();
    return Number(scores) + Number(checks) + Number(scopes);
  }

  /**
   * VACUUM (ANALYZE) of the tables a full refresh rewrites, on PostgreSQL.
   * Without statistics (autovacuum off, or not yet run after the first
   * refresh) the planner reads a page's failing checks by scanning the whole
   * index table (11 ms instead of 0.1 at 10,000 services); without the
   * visibility map a VACUUM sets, an index-only scan still fetches every row
   * from the table. About 0.3 s at 10,000 services. SQLite plans from its
   * indexes alone.
   */
  async refreshStatistics(): Promise<void> {
    if (this.#db.client.dialect !== 'postgresql') return;
    // Outside a transaction: VACUUM cannot run in one.
    await this.#db.raw(
      `VACUUM (ANALYZE) ${[
        TABLES.posture,
        TABLES.postureFailing,
        TABLES.postureFacets,
        TABLES.checkStatus,
        TABLES.postureHistory,
        TABLES.scopeHistory,
      ].join(', ')}`,
    );
  }

  async setOrgState(
    key: string,
    value: unknown,
    now: Date = new Date(),
  ): Promise<void> {
    await this.#db(TABLES.orgState)
      .insert({
        key,
        value: JSON.stringify(value),
        updated_at: now.toISOString(),
      })
      .onConflict('key')
      .merge();
  }

  /**
   * Sets an org state key only if no one has: true for the one caller (of
   * every replica) that did, so a one-time job runs once.
   */
  async claimOrgState(
    key: string,
    value: unknown,
    now: Date = new Date(),
  ): Promise<boolean> {
    const inserted = await this.#db(TABLES.orgState)
      .insert({
        key,
        value: JSON.stringify(value),
        updated_at: now.toISOString(),
      })
      .onConflict('key')
      .ignore()
      .returning('key');
    return inserted.length === 1;
  }

  async getOrgState<T>(
    key: string,
  ): Promise<{ value: T; updatedAt: string } | undefined> {
    const row = await this.#db(TABLES.orgState).where('key', key).first();
    return row
      ? {
          value: parse<T>(row.value, undefined as unknown as T),
          updatedAt: row.updated_at,
        }
      : undefined;
  }

  async getUnowned(): Promise<UnownedFindings> {
    const state = await this.getOrgState<UnownedFindings>('unowned');
    return state?.value ?? { evaluatedAt: null, results: [], total: 0 };
  }
}
