/*
 * Evaluates postures and keeps them: reads every cluster, maps objects to
 * catalog entities, runs the checks, stores the result. When a cluster cannot
 * be read, its last good state is used and the postures that depend on it are
 * marked stale; other clusters are not affected.
 *
 * Three paths evaluate: the scheduled full refresh (re-reads every cluster),
 * the catalog sync (entities new or changed in the catalog since they were
 * evaluated, from the cluster state already read), and on demand (a posture
 * asked for and missing, from the same state). No entity the catalog has
 * waits for the next full refresh.
 *
 * Over 400 lines: the three evaluation paths share the state of who waits
 * for what and which evaluation runs, and are kept together for that.
 */
import { setImmediate } from 'node:timers/promises';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterDataStatus,
  compareStrings,
  EntityPosture,
  PostureStatus,
  scoreResults,
  UnownedFindings,
} from '@internal/backstage-plugin-security-guardrails-common';
import { CatalogEntities, CatalogEntityInfo } from '../catalog/CatalogEntities';
import {
  Check,
  CheckSettings,
  ClusterSnapshot,
  ClusterStateSource,
  EntityInfo,
  evaluateInSlices,
  Evaluation,
  ExemptionRule,
  KubeObject,
  ManagedGrant,
} from '../engine';
import {
  PostureRecord,
  PostureStore,
  SaveOptions,
  SaveStats,
} from './PostureStore';
import { HistorySeeder } from './demoHistory';
import {
  ClusterState,
  ClusterStateCache,
  PendingPosture,
} from './ClusterStateCache';

export interface PostureServiceOptions {
  logger: LoggerService;
  sources: ClusterStateSource[];
  catalog: Pick<
    CatalogEntities,
    'listMapped' | 'mappedVersions' | 'getMapped' | 'groups'
  >;
  store: PostureStore;
  checks: Check[];
  settings: CheckSettings;
  annotationExemptions: boolean;
  disabledChecks: string[];
  /** Exemptions from config and approved exemption requests. */
  exemptions: () => Promise<ExemptionRule[]>;
  /** Active temporary grants, whose RoleBindings are shown and not graded. */
  managedGrants?: () => Promise<ManagedGrant[]>;
  historyRetentionDays: number;
  /** Stores a past for entities before their first posture (the demo's seed). */
  historySeeder?: HistorySeeder;
  /** Minimum time between on-demand refreshes of one entity. */
  refreshIntervalMs: number;
  /** On-demand refreshes one caller may ask for in any minute (default 10). */
  refreshesPerCallerPerMinute?: number;
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

export type PostureLookup =
  | { posture: EntityPosture }
  | { pending: PendingPosture };

export interface CatalogSyncReport {
  /** Entities new or changed in the catalog, evaluated and stored. */
  evaluated: number;
  /** Entities that left the catalog (or lost their mapping), forgotten. */
  removed: number;
  /** Entities that wait for a cluster that has never been read. */
  waiting: number;
}

interface PartialEvaluation {
  saved: Set<string>;
  waiting: Map<string, PendingPosture>;
}

/** How long a posture request waits for an on-demand evaluation before answering "evaluating now". */
const ON_DEMAND_WAIT_MS = 10_000;

export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number, message: string) {
    super(message);
    this.name = 'RateLimitedError';
  }
}

const DAY_MS = 24 * 3600 * 1000;

export class PostureService {
  readonly #o: PostureServiceOptions;
  readonly #now: () => Date;
  readonly #lastRefresh = new Map<string, number>();
  #namespaces:
    | { version: number; items: Array<{ cluster: string; object: KubeObject }> }
    | undefined;
  /** When each caller refreshed, within the last minute. */
  readonly #callerRefreshes = new Map<string, number[]>();
  #inFlight: Promise<RefreshReport> | undefined;
  #syncing: Promise<CatalogSyncReport> | undefined;
  /** The cluster state the evaluation paths read from. */
  readonly #clusters: ClusterStateCache;
  readonly #onDemand = new Map<
    string,
    { startedAt: string; job: Promise<PartialEvaluation> }
  >();
  /** Entities found waiting for a cluster, and on which state: not re-evaluated until the state changes. */
  readonly #waiting = new Map<
    string,
    { version: number; pending: PendingPosture }
  >();

  static create(options: PostureServiceOptions) {
    return new PostureService(options);
  }

  private constructor(options: PostureServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.#clusters = new ClusterStateCache({
      sources: options.sources,
      logger: options.logger,
      now: this.#now,
    });
  }

  /** Scores each entity's results; yields now and then, as scoring 10,000 takes a while. */
  async #records(
    evaluation: Evaluation,
    entities: CatalogEntityInfo[],
    observedAt: string,
  ): Promise<PostureRecord[]> {
    const statusByCluster = new Map(
      evaluation.clusters.map(c => [c.cluster, c]),
    );
    const byRef = new Map(entities.map(e => [e.ref, e]));
    const records: PostureRecord[] = [];
    for (const [ref, ev] of evaluation.entities) {
      if (records.length > 0 && records.length % 64 === 0) {
        await setImmediate();
      }
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
        lifecycle: entity?.lifecycle,
        tags: entity?.tags,
        evaluatedAt: evaluation.evaluatedAt,
        observedAt,
        stale: clusters.some(c => c.status === 'unreachable'),
        mapped: ev.mapped,
        clusters,
        score: scoreResults(ev.results),
        results: ev.results,
        catalogEtag: entity?.etag,
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
    const managedGrants = (await this.#o.managedGrants?.()) ?? [];
    return evaluateInSlices(
      { clusters: snapshots },
      {
        checks: this.#o.checks,
        entities,
        settings: { ...this.#o.settings, knownGroups: groups },
        exemptions,
        annotationExemptions: this.#o.annotationExemptions,
        disabledChecks: this.#o.disabledChecks,
        onlyEntities,
        managedGrants,
        now: this.#now(),
      },
    );
  }

  /**
   * Postures that depend on a cluster we cannot read (and have no state for)
   * keep their last result, marked stale. An entity with no objects found and
   * no stored posture is not graded on catalog checks alone while such a
   * cluster is unknown: its objects may be there. It waits, and says why.
   */
  async #keepStale(
    records: PostureRecord[],
    unavailable: ClusterDataStatus[],
    options: { waiting?: Map<string, PendingPosture>; partial?: boolean } = {},
  ): Promise<PostureRecord[]> {
    if (unavailable.length === 0) return records;
    const pending = this.#clusters.unreachablePending(unavailable);
    const stored = new Set((await this.#o.store.evaluatedVersions()).keys());
    const graded = records.filter(r => {
      if (r.mapped || stored.has(r.entityRef)) return true;
      options.waiting?.set(r.entityRef, pending);
      return false;
    });
    // A partial evaluation (a few entities) marks only its own entities:
    // the others were marked when their cluster was found unreachable.
    const evaluated = new Set(records.map(r => r.entityRef));
    const keep = new Set<string>();
    for (const cluster of unavailable) {
      let refs = await this.#o.store.entitiesInCluster(cluster.cluster);
      if (options.partial) refs = refs.filter(r => evaluated.has(r));
      await this.#o.store.markStale(refs, cluster);
      refs.forEach(r => keep.add(r));
    }
    return graded.filter(r => !keep.has(r.entityRef));
  }

  /** Stores evaluations, after any past the seeder gives entities stored for the first time. */
  async #save(
    records: PostureRecord[],
    now: Date,
    options?: SaveOptions,
  ): Promise<SaveStats> {
    await this.#o.historySeeder?.seed(records, now);
    return this.#o.store.save(records, now, options);
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
    const [{ snapshots, unavailable, observedAt }, entities] =
      await Promise.all([
        this.#clusters.shared(),
        this.#o.catalog.listMapped(),
      ]);
    const evaluation = await this.#evaluate(entities, snapshots);
    for (const p of evaluation.mappingProblems) {
      this.#o.logger.warn(`${p.entityRef}: ${p.message}`);
    }
    const all = await this.#records(evaluation, entities, observedAt);
    const records = await this.#keepStale(all, unavailable);
    // A watched cluster's change evaluated while this ran is newer: kept.
    const { keptNewer } = await this.#save(records, now, { keepNewer: true });

    // Forget what left the catalog, by a listing taken now: an entity the
    // catalog sync added while this refresh ran is not gone.
    await this.#forgetGone(await this.#o.catalog.mappedVersions());

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
    try {
      await this.#o.store.refreshStatistics();
    } catch (e) {
      this.#o.logger.warn(
        `Could not update the database's statistics: ${(e as Error).message}`,
      );
    }

    const report: RefreshReport = {
      entities: records.length,
      results: evaluation.results.length,
      clusters,
      durationMs: Date.now() - started,
      skippedStale: all.length - records.length,
    };
    const stale = `${
      report.skippedStale
        ? `; ${report.skippedStale} kept their last posture (cluster unreachable)`
        : ''
    }${
      keptNewer
        ? `; ${keptNewer} kept a posture evaluated from a later watched state`
        : ''
    }`;
    this.#o.logger.info(
      `Evaluated ${report.entities} entities (${report.results} results) in ${report.durationMs} ms${stale}`,
    );
    return report;
  }

  async #forgetGone(
    current: Map<string, string | undefined>,
    stored?: Map<string, string | null>,
  ): Promise<number> {
    const refs = [
      ...(stored ?? (await this.#o.store.evaluatedVersions())).keys(),
    ];
    const gone = refs.filter(ref => !current.has(ref));
    if (gone.length) await this.#o.store.deleteEntities(gone);
    return gone.length;
  }

  /** Evaluates some entities against the cluster state already read (or the one given), and stores them. */
  async #evaluateSome(
    entities: CatalogEntityInfo[],
    given?: ClusterState,
  ): Promise<PartialEvaluation> {
    const state = given ?? (await this.#clusters.current());
    const evaluation = await this.#evaluate(
      entities,
      state.snapshots,
      new Set(entities.map(e => e.ref)),
    );
    const waiting = new Map<string, PendingPosture>();
    const records = await this.#keepStale(
      await this.#records(evaluation, entities, state.observedAt),
      state.unavailable,
      { waiting, partial: true },
    );
    await this.#save(records, this.#now());
    for (const r of records) this.#waiting.delete(r.entityRef);
    for (const [ref, pending] of waiting) {
      this.#waiting.set(ref, { version: state.version, pending });
    }
    return { saved: new Set(records.map(r => r.entityRef)), waiting };
  }

  /**
   * Evaluates what the catalog has that was not evaluated as it is now: new
   * entities and entities whose etag changed, from the cluster state already
   * read; forgets entities that left. Cheap when nothing changed (one listing
   * of refs and etags, one of stored refs). Concurrent calls share one run,
   * and a run waits for a full refresh under way (which covers what it listed).
   */
  syncWithCatalog(): Promise<CatalogSyncReport> {
    if (!this.#syncing) {
      this.#syncing = this.#sync().finally(() => {
        this.#syncing = undefined;
      });
    }
    return this.#syncing;
  }

  async #sync(): Promise<CatalogSyncReport> {
    if (this.#inFlight) await this.#inFlight.catch(() => undefined);
    const [current, stored] = await Promise.all([
      this.#o.catalog.mappedVersions(),
      this.#o.store.evaluatedVersions(),
    ]);
    const removed = await this.#forgetGone(current, stored);
    const stateVersion = this.#clusters.latest?.version;
    const changed: string[] = [];
    for (const [ref, etag] of current) {
      const known = stored.get(ref);
      const isNew = known === undefined;
      if (!isNew && (etag === undefined || known === etag)) continue;
      // Waiting for a cluster, and no new cluster state since: nothing to do.
      const waiting = this.#waiting.get(ref);
      if (isNew && waiting && waiting.version === stateVersion) continue;
      changed.push(ref);
    }
    let evaluated = 0;
    let waiting = 0;
    if (changed.length) {
      const entities = await this.#o.catalog.getMapped(changed);
      const outcome = await this.#evaluateSome(entities);
      evaluated = outcome.saved.size;
      waiting = outcome.waiting.size;
    }
    if (evaluated || removed || waiting) {
      this.#o.logger.info(
        `Catalog sync: evaluated ${evaluated} new or changed entities, forgot ${removed}${
          waiting ? `, ${waiting} wait for a cluster that cannot be read` : ''
        }`,
      );
    }
    return { evaluated, removed, waiting };
  }

  /**
   * The entity's stored posture; when there is none, it is evaluated now from
   * the cluster state already read (one evaluation per entity at a time,
   * however many ask). Answers "evaluating now" when that takes longer than
   * a request should wait, and why it waits when a cluster cannot be read.
   */
  async postureFor(
    entity: CatalogEntityInfo,
    options: { waitMs?: number } = {},
  ): Promise<PostureLookup> {
    const stored = await this.#o.store.get(entity.ref);
    if (stored) return { posture: stored };
    const waitingFor = this.#waiting.get(entity.ref);
    if (waitingFor && waitingFor.version === this.#clusters.latest?.version) {
      return { pending: waitingFor.pending };
    }
    let run = this.#onDemand.get(entity.ref);
    if (!run) {
      const job = this.#evaluateSome([entity]).finally(() => {
        this.#onDemand.delete(entity.ref);
      });
      run = { startedAt: this.#now().toISOString(), job };
      this.#onDemand.set(entity.ref, run);
    }
    let stopWaiting = () => {};
    const timedOut = new Promise<undefined>(resolve => {
      const timer = setTimeout(resolve, options.waitMs ?? ON_DEMAND_WAIT_MS);
      stopWaiting = () => clearTimeout(timer);
    });
    const outcome = await Promise.race([run.job, timedOut]).finally(() =>
      stopWaiting(),
    );
    const pending = outcome?.waiting.get(entity.ref);
    if (pending) return { pending };
    const posture = outcome && (await this.#o.store.get(entity.ref));
    if (posture) return { posture };
    return {
      pending: {
        reason: 'evaluating',
        message: `${entity.ref} is being evaluated now (started ${run.startedAt}); try again in a few seconds`,
        retryAfterSeconds: 5,
      },
    };
  }

  /**
   * Re-evaluates entities after a watched cluster changed, from the state the
   * watch holds (the other clusters as last read), and stores them: `refs`
   * as the changes reach them, or every mapped entity. Nothing is re-read.
   */
  async evaluateWatched(
    snapshot: ClusterSnapshot,
    refs: Set<string> | 'all',
  ): Promise<number> {
    const state = await this.#clusters.replace(snapshot);
    const entities =
      refs === 'all'
        ? await this.#o.catalog.listMapped()
        : await this.#o.catalog.getMapped([...refs]);
    if (entities.length === 0) return 0;
    return (await this.#evaluateSome(entities, state)).saved.size;
  }

  /**
   * Whether every mapped entity has a posture, and why those without one wait
   * (a cluster never read, being evaluated now, or new and taken by the next
   * catalog sync). `visible` narrows the list to what the caller may see.
   */
  async status(
    visible: (refs: string[]) => Promise<Set<string>>,
  ): Promise<PostureStatus> {
    const [current, stored, orgClusters] = await Promise.all([
      this.#o.catalog.mappedVersions(),
      this.#o.store.evaluatedVersions(),
      this.#o.store.getOrgState<ClusterDataStatus[]>('clusters'),
    ]);
    let evaluated = 0;
    let outdated = 0;
    const missing: string[] = [];
    for (const [ref, etag] of current) {
      const known = stored.get(ref);
      if (known === undefined) {
        missing.push(ref);
        continue;
      }
      evaluated++;
      if (etag !== undefined && known !== etag) outdated++;
    }
    missing.sort(compareStrings);
    const shown = await visible(missing.slice(0, 1000));
    const waiting = missing
      .filter(ref => shown.has(ref))
      .slice(0, 100)
      .map(entityRef => ({
        entityRef,
        reason:
          this.#waiting.get(entityRef)?.pending.message ??
          (this.#onDemand.has(entityRef)
            ? 'being evaluated now'
            : 'new in the catalog: evaluated by the next catalog sync'),
      }));
    const clusters = this.#clusters.statuses() ?? orgClusters?.value ?? [];
    return {
      entities: { mapped: current.size, evaluated, outdated },
      waiting,
      clusters,
    };
  }

  /** The Namespace objects of every cluster, as last read (the platform's labels on them). */
  async namespaces(): Promise<Array<{ cluster: string; object: KubeObject }>> {
    const state = await this.#clusters.current();
    if (this.#namespaces?.version !== state.version) {
      this.#namespaces = {
        version: state.version,
        items: state.snapshots.flatMap(s =>
          s.objects
            .filter(o => o.kind === 'Namespace' && o.apiVersion === 'v1')
            .map(object => ({ cluster: s.cluster, object })),
        ),
      };
    }
    return this.#namespaces.items;
  }

  /**
   * At most `refreshesPerCallerPerMinute` refreshes per caller in any
   * minute, whatever the entities: one person cannot force the clusters to
   * be re-read over and over by walking through entities.
   */
  #countCallerRefresh(caller: string, nowMs: number) {
    const limit = this.#o.refreshesPerCallerPerMinute ?? 10;
    const recent = (this.#callerRefreshes.get(caller) ?? []).filter(
      t => nowMs - t < 60_000,
    );
    if (recent.length >= limit) {
      const wait = Math.ceil((recent[0] + 60_000 - nowMs) / 1000);
      throw new RateLimitedError(
        wait,
        `You refreshed ${recent.length} postures in the last minute (the limit is ${limit}); try again in ${wait} s`,
      );
    }
    recent.push(nowMs);
    this.#callerRefreshes.set(caller, recent);
    // Forget callers whose last refresh is a minute old.
    if (this.#callerRefreshes.size > 1000) {
      for (const [who, times] of this.#callerRefreshes) {
        if (nowMs - times[times.length - 1] >= 60_000)
          this.#callerRefreshes.delete(who);
      }
    }
  }

  /**
   * Re-reads the clusters and re-evaluates one entity now. Rate-limited per
   * entity: a second refresh within the interval is refused, unless forced
   * (the plugin's own refresh after a grant or exemption changes).
   */
  async refreshEntity(
    entity: CatalogEntityInfo,
    options: { force?: boolean; caller?: string } = {},
  ): Promise<EntityPosture | undefined> {
    const nowMs = this.#now().getTime();
    if (!options.force) {
      const last = this.#lastRefresh.get(entity.ref);
      if (last !== undefined && nowMs - last < this.#o.refreshIntervalMs) {
        const wait = Math.ceil(
          (this.#o.refreshIntervalMs - (nowMs - last)) / 1000,
        );
        throw new RateLimitedError(
          wait,
          `This entity was refreshed moments ago; try again in ${wait} s`,
        );
      }
      if (options.caller) this.#countCallerRefresh(options.caller, nowMs);
    }
    this.#lastRefresh.set(entity.ref, nowMs);
    // Refreshes at the same moment share one read of the clusters.
    const { snapshots, unavailable, observedAt } =
      await this.#clusters.shared();
    const evaluation = await this.#evaluate(
      [entity],
      snapshots,
      new Set([entity.ref]),
    );
    const records = await this.#keepStale(
      await this.#records(evaluation, [entity], observedAt),
      unavailable,
      { partial: true },
    );
    await this.#save(records, this.#now());
    return this.#o.store.get(entity.ref);
  }
}
