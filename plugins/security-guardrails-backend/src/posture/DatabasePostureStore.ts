/*
 * Persistence of postures: the latest per entity, a score time series that
 * grows only on change, per-check status with "since", and org-wide state.
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  CheckResult,
  CheckStatusChange,
  ClusterDataStatus,
  Domain,
  DOMAINS,
  DomainGrade,
  EntityPosture,
  failureCounts,
  Grade,
  PostureListItem,
  PostureScore,
  ResultStatus,
  resultKey,
  ScorePoint,
  UnownedFindings,
} from '@internal/backstage-plugin-security-guardrails-common';
import { Knex } from 'knex';
import { connect, migrateDownAll, migrateUp } from '../database/migrate';

/** What an evaluation produced for one entity. */
export interface PostureRecord {
  entityRef: string;
  owner?: string;
  system?: string;
  evaluatedAt: string;
  stale: boolean;
  mapped: boolean;
  clusters: ClusterDataStatus[];
  score: PostureScore;
  results: CheckResult[];
  /** The catalog entity's metadata.etag this posture was computed from. */
  catalogEtag?: string;
}

/** The light columns of a posture, for rollups. */
export interface PostureSummaryRow {
  entityRef: string;
  owner?: string;
  system?: string;
  score: number | null;
  grade: Grade | null;
  domains: Record<Domain, DomainGrade>;
  criticalFailures: number;
  namespaces: string[];
  checkCounts: Record<string, [number, number, number]>;
}

export interface ListFilter {
  owner?: string[];
  system?: string[];
  grade?: Grade[];
  /** With `grade`, filter on this domain's grade; alone, entities failing a check in the domain. */
  domain?: Domain;
  failingCheck?: string;
  /** Only these entities (visibility already decided by the caller). */
  entityRefs?: string[];
}

export interface SaveStats {
  saved: number;
  scoreChanges: number;
  checkChanges: number;
}

const CHUNK = 100;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(items.slice(i, i + size));
  return out;
}

function domainGrades(score: PostureScore): Record<Domain, DomainGrade> {
  return Object.fromEntries(
    DOMAINS.map(d => [
      d,
      { score: score.domains[d].score, grade: score.domains[d].grade },
    ]),
  ) as Record<Domain, DomainGrade>;
}

function checkCounts(
  results: CheckResult[],
): Record<string, [number, number, number]> {
  const out: Record<string, [number, number, number]> = {};
  for (const r of results) {
    const c = (out[r.checkId] ??= [0, 0, 0]);
    if (r.status === 'pass') c[0]++;
    else if (r.status === 'fail') c[1]++;
    else if (r.status === 'warn') c[2]++;
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

function parse<T>(value: unknown, fallback: T): T {
  if (typeof value !== 'string') return fallback;
  try {
    return JSON.parse(value) as T;
  } catch {
    return fallback;
  }
}

function toListItem(row: any, failing: string[]): PostureListItem {
  return {
    entityRef: row.entity_ref,
    owner: row.owner ?? undefined,
    system: row.system ?? undefined,
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

export class DatabasePostureStore {
  readonly #db: Knex;

  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabasePostureStore> {
    return new DatabasePostureStore(await connect(options.database));
  }

  static migrate(client: Knex) {
    return migrateUp(client);
  }

  static rollback(client: Knex) {
    return migrateDownAll(client);
  }

  constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Stores evaluations: replaces the latest posture, appends a score point
   * when the score or a grade changed, and records check status changes.
   */
  async save(
    records: PostureRecord[],
    now: Date = new Date(),
  ): Promise<SaveStats> {
    const at = now.toISOString();
    const stats: SaveStats = { saved: 0, scoreChanges: 0, checkChanges: 0 };
    for (const batch of chunks(records)) {
      await this.#db.transaction(async tx => {
        const refs = batch.map(r => r.entityRef);

        // Latest posture.
        const rows = batch.map(r => ({
          entity_ref: r.entityRef,
          owner: r.owner ?? null,
          system: r.system ?? null,
          score: r.score.overall.score,
          grade: r.score.overall.grade,
          domain_grades: JSON.stringify(domainGrades(r.score)),
          ...Object.fromEntries(
            DOMAINS.map(d => [`grade_${d}`, r.score.domains[d].grade]),
          ),
          // Critical failing checks, as every view counts them.
          critical_failures: failureCounts(r.results).checksBySeverity.critical,
          stale: r.stale,
          mapped: r.mapped,
          namespaces: JSON.stringify(namespacesOf(r.results)),
          clusters: JSON.stringify(r.clusters),
          score_detail: JSON.stringify(r.score),
          results: JSON.stringify(r.results),
          check_counts: JSON.stringify(checkCounts(r.results)),
          evaluated_at: r.evaluatedAt,
          catalog_etag: r.catalogEtag ?? null,
        }));
        await tx('guardrails_posture')
          .insert(rows)
          .onConflict('entity_ref')
          .merge();

        // Failing checks, for filters.
        await tx('guardrails_posture_failing')
          .whereIn('entity_ref', refs)
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
          await tx('guardrails_posture_failing').insert(part);
        }

        // Score history: only when something changed.
        const last = await tx('guardrails_posture_history as h')
          .join(
            tx('guardrails_posture_history')
              .select('entity_ref')
              .max({ id: 'id' })
              .whereIn('entity_ref', refs)
              .groupBy('entity_ref')
              .as('m'),
            'h.id',
            'm.id',
          )
          .select('h.entity_ref', 'h.score', 'h.grade', 'h.domain_grades');
        const lastByRef = new Map<string, any>(
          last.map((l: any) => [l.entity_ref, l]),
        );
        const points = [];
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
          await tx('guardrails_posture_history').insert(part);
        }
        stats.scoreChanges += points.length;

        // Check status and its changes.
        const existing = await tx('guardrails_check_status')
          .whereIn('entity_ref', refs)
          .select('entity_ref', 'result_key', 'status', 'severity');
        const existingByRef = new Map<
          string,
          Map<string, { status: string; severity: string }>
        >();
        for (const e of existing) {
          let m = existingByRef.get(e.entity_ref);
          if (!m) existingByRef.set(e.entity_ref, (m = new Map()));
          m.set(e.result_key, { status: e.status, severity: e.severity });
        }
        const upserts: any[] = [];
        const changes: any[] = [];
        for (const r of batch) {
          const before = existingByRef.get(r.entityRef) ?? new Map();
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
              await tx('guardrails_check_status')
                .where({ entity_ref: r.entityRef, result_key: key })
                .update({ severity: result.severity });
            }
          }
          const gone = [...before.keys()].filter(k => !seen.has(k));
          for (const part of chunks(gone, 200)) {
            await tx('guardrails_check_status')
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
          await tx('guardrails_check_status')
            .insert(part)
            .onConflict(['entity_ref', 'result_key'])
            .merge(['check_id', 'status', 'severity', 'since']);
        }
        for (const part of chunks(changes, 100)) {
          await tx('guardrails_check_history').insert(part);
        }
        stats.checkChanges += changes.length;
        stats.saved += batch.length;
      });
    }
    return stats;
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
      await this.#db.transaction(async tx => {
        const rows = await tx('guardrails_posture')
          .whereIn('entity_ref', part)
          .select('entity_ref', 'clusters');
        for (const row of rows) {
          const clusters = parse<ClusterDataStatus[]>(row.clusters, []);
          const updated = clusters.map(c =>
            c.cluster === cluster.cluster
              ? { ...c, status: cluster.status, message: cluster.message }
              : c,
          );
          await tx('guardrails_posture')
            .where('entity_ref', row.entity_ref)
            .update({ stale: true, clusters: JSON.stringify(updated) });
        }
      });
    }
  }

  /** Entities whose stored posture uses a cluster. */
  async entitiesInCluster(cluster: string): Promise<string[]> {
    const rows = await this.#db('guardrails_posture').select(
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
      await this.#db('guardrails_posture').select('entity_ref', 'catalog_etag');
    return new Map(rows.map(r => [r.entity_ref, r.catalog_etag ?? null]));
  }

  async listEntityRefs(): Promise<string[]> {
    const rows = await this.#db('guardrails_posture').select('entity_ref');
    return rows.map(r => r.entity_ref);
  }

  /** Forgets entities that left the catalog (their score history ages out with retention). */
  async deleteEntities(entityRefs: string[]): Promise<void> {
    for (const part of chunks(entityRefs, 300)) {
      await this.#db.transaction(async tx => {
        await tx('guardrails_posture').whereIn('entity_ref', part).delete();
        await tx('guardrails_posture_failing')
          .whereIn('entity_ref', part)
          .delete();
        await tx('guardrails_check_status')
          .whereIn('entity_ref', part)
          .delete();
      });
    }
  }

  async get(entityRef: string): Promise<EntityPosture | undefined> {
    const row = await this.#db('guardrails_posture')
      .where('entity_ref', entityRef)
      .first();
    if (!row) return undefined;
    const since = await this.#db('guardrails_check_status')
      .where('entity_ref', entityRef)
      .whereIn('status', ['fail', 'warn'])
      .select('result_key', 'since');
    const sinceByKey = new Map<string, string>(
      since.map((s: any) => [s.result_key, s.since]),
    );
    const results = parse<CheckResult[]>(row.results, []).map(r => {
      const s =
        r.status === 'fail' || r.status === 'warn'
          ? sinceByKey.get(resultKey(r))
          : undefined;
      return s ? { ...r, failingSince: s } : r;
    });
    return {
      entityRef: row.entity_ref,
      evaluatedAt: row.evaluated_at,
      clusters: parse(row.clusters, []),
      stale: Boolean(row.stale),
      mapped: Boolean(row.mapped),
      score: parse(row.score_detail, undefined as unknown as PostureScore),
      results,
    };
  }

  /**
   * The fail and warn results of some checks across every stored posture,
   * by entity. The check-status index finds the entities; only their rows
   * are read.
   */
  async flagged(
    checkIds: string[],
  ): Promise<Array<{ entityRef: string; result: CheckResult }>> {
    const refs = await this.#db('guardrails_check_status')
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
      const rows = await this.#db('guardrails_posture')
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
    const row = await this.#db('guardrails_posture')
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
    const before = await this.#db('guardrails_posture_history')
      .where('entity_ref', entityRef)
      .where('at', '<', from)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .first();
    const inside = await this.#db('guardrails_posture_history')
      .where('entity_ref', entityRef)
      .whereBetween('at', [from, to])
      .orderBy('at', 'asc')
      .orderBy('id', 'asc');
    const toPoint = (r: any): ScorePoint => ({
      at: r.at,
      score: r.score === null ? null : Number(r.score),
      grade: r.grade ?? null,
      domains: parse(r.domain_grades, {} as Record<Domain, DomainGrade>),
    });
    const scores = [
      ...(before ? [{ ...toPoint(before), at: from }] : []),
      ...inside.map(toPoint),
    ];
    const checkRows = await this.#db('guardrails_check_history')
      .where('entity_ref', entityRef)
      .whereBetween('at', [from, to])
      .orderBy('at', 'asc')
      .orderBy('id', 'asc')
      .limit(5000);
    const checks: CheckStatusChange[] = checkRows.map((r: any) => ({
      at: r.at,
      checkId: r.check_id,
      resultKey: r.result_key,
      from: (r.from_status ?? null) as ResultStatus | null,
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
    const q = this.#db('guardrails_posture as p').select(
      'p.entity_ref',
      'p.owner',
      'p.system',
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
    if (filter.entityRefs) q.whereIn('p.entity_ref', filter.entityRefs);
    if (filter.failingCheck) {
      q.whereExists(
        this.#db('guardrails_posture_failing as f')
          .whereRaw('f.entity_ref = p.entity_ref')
          .where('f.check_id', filter.failingCheck),
      );
    }
    if (filter.domain && !filter.grade?.length) {
      q.whereExists(
        this.#db('guardrails_posture_failing as f')
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
    const items: any[] = await q
      .orderBy('p.entity_ref', 'asc')
      .limit(page.limit);
    const refs = items.map(r => r.entity_ref);
    const failingRows = refs.length
      ? await this.#db('guardrails_posture_failing')
          .whereIn('entity_ref', refs)
          .select('entity_ref', 'check_id')
      : [];
    const failingByRef = new Map<string, string[]>();
    for (const f of failingRows) {
      const list = failingByRef.get(f.entity_ref) ?? [];
      list.push(f.check_id);
      failingByRef.set(f.entity_ref, list);
    }
    return items.map(r =>
      toListItem(r, (failingByRef.get(r.entity_ref) ?? []).sort()),
    );
  }

  /** The light columns of every posture, for rollups. */
  async summaryRows(): Promise<PostureSummaryRow[]> {
    const rows = await this.#db('guardrails_posture').select(
      'entity_ref',
      'owner',
      'system',
      'score',
      'grade',
      'domain_grades',
      'critical_failures',
      'namespaces',
      'check_counts',
    );
    return rows.map((r: any) => ({
      entityRef: r.entity_ref,
      owner: r.owner ?? undefined,
      system: r.system ?? undefined,
      score: r.score === null ? null : Number(r.score),
      grade: r.grade ?? null,
      domains: parse(r.domain_grades, {} as Record<Domain, DomainGrade>),
      criticalFailures: Number(r.critical_failures ?? 0),
      namespaces: parse(r.namespaces, []),
      checkCounts: parse(r.check_counts, {}),
    }));
  }

  /** Each entity's score point in force at a time (the last change at or before it). */
  async scoresAt(at: string): Promise<
    Map<
      string,
      {
        score: number | null;
        grade: Grade | null;
        domains: Record<Domain, DomainGrade>;
      }
    >
  > {
    const rows = await this.#db('guardrails_posture_history as h')
      .join(
        this.#db('guardrails_posture_history')
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
      rows.map((r: any) => [
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
    const rows = await this.#db('guardrails_posture_history')
      .whereBetween('at', [from, to])
      .orderBy('at', 'asc')
      .orderBy('id', 'asc')
      .select('entity_ref', 'at', 'score', 'grade');
    return rows.map((r: any) => ({
      entityRef: r.entity_ref,
      at: r.at,
      score: r.score === null ? null : Number(r.score),
      grade: r.grade ?? null,
    }));
  }

  /** A cheap marker that changes whenever postures change, for caches. */
  async version(): Promise<string> {
    const row = await this.#db('guardrails_posture')
      .max({ latest: 'evaluated_at' })
      .count({ n: '*' })
      .first();
    const stale = await this.#db('guardrails_posture')
      .where('stale', true)
      .count({ n: '*' })
      .first();
    return `${row?.latest ?? ''}|${row?.n ?? 0}|${stale?.n ?? 0}`;
  }

  /**
   * Drops history older than the retention, keeping each entity's last score
   * point before the cut so its score at the start of the window stays known.
   */
  async prune(olderThan: string): Promise<number> {
    const keep = this.#db('guardrails_posture_history')
      .select(this.#db.raw('max(id)'))
      .where('at', '<', olderThan)
      .groupBy('entity_ref');
    const scores = await this.#db('guardrails_posture_history')
      .where('at', '<', olderThan)
      .whereNotIn('id', keep)
      .delete();
    const checks = await this.#db('guardrails_check_history')
      .where('at', '<', olderThan)
      .delete();
    return Number(scores) + Number(checks);
  }

  async setOrgState(
    key: string,
    value: unknown,
    now: Date = new Date(),
  ): Promise<void> {
    await this.#db('guardrails_org_state')
      .insert({
        key,
        value: JSON.stringify(value),
        updated_at: now.toISOString(),
      })
      .onConflict('key')
      .merge();
  }

  async getOrgState<T>(
    key: string,
  ): Promise<{ value: T; updatedAt: string } | undefined> {
    const row = await this.#db('guardrails_org_state')
      .where('key', key)
      .first();
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
