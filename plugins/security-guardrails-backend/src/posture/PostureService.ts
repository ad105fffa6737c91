/*
 * Evaluates postures and keeps them: reads every cluster, maps objects to
 * catalog entities, runs the checks, stores the result. When a cluster cannot
 * be read, its last good state is used and the postures that depend on it are
 * marked stale; other clusters are not affected.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterDataStatus,
  Domain,
  EntityPosture,
  PostureHistory,
  PostureListResponse,
  PostureSummary,
  PostureTrend,
  scoreResults,
  SummaryGroupBy,
  UnownedFindings,
} from '@internal/backstage-plugin-security-guardrails-common';
import { CatalogEntities } from '../catalog/CatalogEntities';
import {
  Check,
  CheckSettings,
  ClusterSnapshot,
  ClusterStateSource,
  EntityInfo,
  evaluate,
  Evaluation,
  ExemptionRule,
} from '../engine';
import {
  DatabasePostureStore,
  ListFilter,
  PostureRecord,
} from './DatabasePostureStore';
import { summarize, trend } from './summary';

export interface PostureServiceOptions {
  logger: LoggerService;
  sources: ClusterStateSource[];
  catalog: Pick<CatalogEntities, 'listMapped' | 'groups'>;
  store: DatabasePostureStore;
  checks: Check[];
  settings: CheckSettings;
  annotationExemptions: boolean;
  disabledChecks: string[];
  /** Exemptions from config and approved exemption requests. */
  exemptions: () => Promise<ExemptionRule[]>;
  historyRetentionDays: number;
  /** Minimum time between on-demand refreshes of one entity. */
  refreshIntervalMs: number;
  /** How many unowned fail/warn results the org view keeps. */
  unownedLimit?: number;
  now?: () => Date;
}

export interface RefreshReport {
  entities: number;
  results: number;
  clusters: ClusterDataStatus[];
  durationMs: number;
  skippedStale: number;
}

export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(
      `This entity was refreshed moments ago; try again in ${retryAfterSeconds} s`,
    );
    this.name = 'RateLimitedError';
  }
}

const DAY_MS = 24 * 3600 * 1000;

export class PostureService {
  readonly #o: PostureServiceOptions;
  readonly #now: () => Date;
  readonly #lastGood = new Map<string, ClusterSnapshot>();
  readonly #lastRefresh = new Map<string, number>();
  #inFlight: Promise<RefreshReport> | undefined;

  static create(options: PostureServiceOptions) {
    return new PostureService(options);
  }

  private constructor(options: PostureServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  get checks(): Check[] {
    return this.#o.checks;
  }

  domainOf = (checkId: string): Domain | undefined =>
    this.#o.checks.find(c => c.meta.id === checkId)?.meta.domain;

  /** Reads every cluster; unreadable ones fall back to their last good state. */
  async #readClusters(): Promise<{
    snapshots: ClusterSnapshot[];
    unavailable: ClusterDataStatus[];
  }> {
    const snapshots: ClusterSnapshot[] = [];
    const unavailable: ClusterDataStatus[] = [];
    const read = await Promise.all(
      this.#o.sources.map(async source => {
        try {
          return await source.read();
        } catch (e) {
          return {
            cluster: source.cluster,
            readAt: null,
            status: 'unreachable',
            objects: [],
            errors: [{ message: (e as Error).message }],
          } as ClusterSnapshot;
        }
      }),
    );
    for (const snapshot of read) {
      if (snapshot.status !== 'unreachable') {
        this.#lastGood.set(snapshot.cluster, snapshot);
        snapshots.push(snapshot);
        continue;
      }
      const message =
        snapshot.errors
          .slice(0, 3)
          .map(e => e.message)
          .join('; ') || 'unreachable';
      this.#o.logger.warn(
        `Cluster ${snapshot.cluster} could not be read: ${message}`,
      );
      const good = this.#lastGood.get(snapshot.cluster);
      if (good) {
        snapshots.push({
          ...good,
          status: 'unreachable',
          errors: snapshot.errors,
        });
      } else {
        unavailable.push({
          cluster: snapshot.cluster,
          readAt: null,
          status: 'unreachable',
          message,
        });
      }
    }
    return { snapshots, unavailable };
  }

  #records(evaluation: Evaluation, entities: EntityInfo[]): PostureRecord[] {
    const statusByCluster = new Map(
      evaluation.clusters.map(c => [c.cluster, c]),
    );
    const byRef = new Map(entities.map(e => [e.ref, e]));
    const records: PostureRecord[] = [];
    for (const [ref, ev] of evaluation.entities) {
      const entity = byRef.get(ref);
      const clusters = ev.clusters.map(
        c =>
          statusByCluster.get(c) ?? {
            cluster: c,
            readAt: null,
            status: 'unreachable' as const,
          },
      );
      records.push({
        entityRef: ref,
        owner: entity?.owner,
        system: entity?.system,
        evaluatedAt: evaluation.evaluatedAt,
        stale: clusters.some(c => c.status === 'unreachable'),
        mapped: ev.mapped,
        clusters,
        score: scoreResults(ev.results),
        results: ev.results,
      });
    }
    return records;
  }

  async #evaluate(
    entities: EntityInfo[],
    snapshots: ClusterSnapshot[],
    onlyEntities?: Set<string>,
  ) {
    const groups = await this.#o.catalog.groups();
    const exemptions = await this.#o.exemptions();
    return evaluate(
      { clusters: snapshots },
      {
        checks: this.#o.checks,
        entities,
        settings: { ...this.#o.settings, knownGroups: groups },
        exemptions,
        annotationExemptions: this.#o.annotationExemptions,
        disabledChecks: this.#o.disabledChecks,
        onlyEntities,
        now: this.#now(),
      },
    );
  }

  /** Postures that depend on a cluster we cannot read (and have no state for) keep their last result, marked stale. */
  async #keepStale(
    records: PostureRecord[],
    unavailable: ClusterDataStatus[],
  ): Promise<PostureRecord[]> {
    if (unavailable.length === 0) return records;
    const keep = new Set<string>();
    for (const cluster of unavailable) {
      const refs = await this.#o.store.entitiesInCluster(cluster.cluster);
      await this.#o.store.markStale(refs, cluster);
      refs.forEach(r => keep.add(r));
    }
    return records.filter(r => !keep.has(r.entityRef));
  }

  /** Evaluates every mapped entity and stores the results. Concurrent calls share one run. */
  refreshAll(): Promise<RefreshReport> {
    if (!this.#inFlight) {
      this.#inFlight = this.#refreshAll().finally(() => {
        this.#inFlight = undefined;
      });
    }
    return this.#inFlight;
  }

  async #refreshAll(): Promise<RefreshReport> {
    const started = Date.now();
    const now = this.#now();
    const [{ snapshots, unavailable }, entities] = await Promise.all([
      this.#readClusters(),
      this.#o.catalog.listMapped(),
    ]);
    const evaluation = await this.#evaluate(entities, snapshots);
    for (const p of evaluation.mappingProblems) {
      this.#o.logger.warn(`${p.entityRef}: ${p.message}`);
    }
    const all = this.#records(evaluation, entities);
    const records = await this.#keepStale(all, unavailable);
    await this.#o.store.save(records, now);

    const current = new Set(entities.map(e => e.ref));
    const gone = (await this.#o.store.listEntityRefs()).filter(
      ref => !current.has(ref),
    );
    if (gone.length) await this.#o.store.deleteEntities(gone);

    const limit = this.#o.unownedLimit ?? 2000;
    const problems = evaluation.unowned.filter(
      r => r.status === 'fail' || r.status === 'warn',
    );
    await this.#o.store.setOrgState(
      'unowned',
      {
        evaluatedAt: evaluation.evaluatedAt,
        results: problems.slice(0, limit),
        total: problems.length,
      } satisfies UnownedFindings,
      now,
    );
    const clusters = [...evaluation.clusters, ...unavailable];
    await this.#o.store.setOrgState('clusters', clusters, now);
    await this.#o.store.prune(
      new Date(
        now.getTime() - this.#o.historyRetentionDays * DAY_MS,
      ).toISOString(),
    );

    const report: RefreshReport = {
      entities: records.length,
      results: evaluation.results.length,
      clusters,
      durationMs: Date.now() - started,
      skippedStale: all.length - records.length,
    };
    const stale = report.skippedStale
      ? `; ${report.skippedStale} kept their last posture (cluster unreachable)`
      : '';
    this.#o.logger.info(
      `Evaluated ${report.entities} entities (${report.results} results) in ${report.durationMs} ms${stale}`,
    );
    return report;
  }

  /**
   * Re-reads the clusters and re-evaluates one entity now. Rate-limited per
   * entity: a second refresh within the interval is refused, unless forced
   * (the plugin's own refresh after a grant or exemption changes).
   */
  async refreshEntity(
    entity: EntityInfo,
    options: { force?: boolean } = {},
  ): Promise<EntityPosture | undefined> {
    const nowMs = this.#now().getTime();
    const last = this.#lastRefresh.get(entity.ref);
    if (
      !options.force &&
      last !== undefined &&
      nowMs - last < this.#o.refreshIntervalMs
    ) {
      throw new RateLimitedError(
        Math.ceil((this.#o.refreshIntervalMs - (nowMs - last)) / 1000),
      );
    }
    this.#lastRefresh.set(entity.ref, nowMs);
    const { snapshots, unavailable } = await this.#readClusters();
    const evaluation = await this.#evaluate(
      [entity],
      snapshots,
      new Set([entity.ref]),
    );
    const records = await this.#keepStale(
      this.#records(evaluation, [entity]),
      unavailable,
    );
    await this.#o.store.save(records, this.#now());
    return this.#o.store.get(entity.ref);
  }

  getPosture(entityRef: string): Promise<EntityPosture | undefined> {
    return this.#o.store.get(entityRef);
  }

  async history(
    entityRef: string,
    from: Date,
    to: Date,
  ): Promise<PostureHistory> {
    const fromIso = from.toISOString();
    const toIso = to.toISOString();
    const { scores, checks } = await this.#o.store.history(
      entityRef,
      fromIso,
      toIso,
    );
    return { entityRef, from: fromIso, to: toIso, scores, checks };
  }

  async list(
    filter: ListFilter,
    page: { cursor?: string; limit: number },
  ): Promise<PostureListResponse> {
    const after = page.cursor
      ? Buffer.from(page.cursor, 'base64url').toString('utf8')
      : undefined;
    const items = await this.#o.store.list(filter, {
      after,
      limit: page.limit + 1,
    });
    const hasMore = items.length > page.limit;
    const pageItems = items.slice(0, page.limit);
    return {
      items: pageItems,
      ...(hasMore
        ? {
            nextCursor: Buffer.from(
              pageItems[pageItems.length - 1].entityRef,
              'utf8',
            ).toString('base64url'),
          }
        : {}),
    };
  }

  readonly #summaryCache = new Map<
    string,
    { version: string; at: number; value: PostureSummary }
  >();

  async summary(groupBy: SummaryGroupBy): Promise<PostureSummary> {
    const version = await this.#o.store.version();
    const nowMs = this.#now().getTime();
    const cached = this.#summaryCache.get(groupBy);
    // Past scores shift with the clock too: reuse a summary for at most a minute.
    if (cached && cached.version === version && nowMs - cached.at < 60_000) {
      return cached.value;
    }
    const now = this.#now();
    const [rows, past7, past30, clusters] = await Promise.all([
      this.#o.store.summaryRows(),
      this.#o.store.scoresAt(
        new Date(now.getTime() - 7 * DAY_MS).toISOString(),
      ),
      this.#o.store.scoresAt(
        new Date(now.getTime() - 30 * DAY_MS).toISOString(),
      ),
      this.#o.store.getOrgState<ClusterDataStatus[]>('clusters'),
    ]);
    const value = summarize({
      rows,
      groupBy,
      past7,
      past30,
      domainOf: this.domainOf,
      clusters: clusters?.value ?? [],
      now,
    });
    this.#summaryCache.set(groupBy, { version, at: nowMs, value });
    return value;
  }

  async trend(days: number): Promise<PostureTrend> {
    const now = this.#now();
    const dayStart = Date.UTC(
      now.getUTCFullYear(),
      now.getUTCMonth(),
      now.getUTCDate(),
    );
    const from = new Date(dayStart - (days - 1) * DAY_MS);
    const [start, changes, current] = await Promise.all([
      this.#o.store.scoresAt(new Date(from.getTime() - 1).toISOString()),
      this.#o.store.historyBetween(from.toISOString(), now.toISOString()),
      this.#o.store.listEntityRefs(),
    ]);
    return {
      days,
      points: trend({ days, now, start, changes, current: new Set(current) }),
    };
  }

  unowned(): Promise<UnownedFindings> {
    return this.#o.store.getUnowned();
  }
}
