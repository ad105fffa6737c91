/*
 * Postures that follow watched clusters: a cluster's changes gather for a
 * moment (`settleMs`), are resolved to the entities they can change (see
 * engine/affected.ts) and those are evaluated from the state the watch holds
 * and stored. One batch is evaluated at a time; changes that arrive meanwhile
 * make the next. A batch that fails to store is tried again.
 *
 * When this replica starts following a cluster it has not followed before,
 * it cannot know what changed since the postures were stored, so the whole
 * cluster is evaluated once from the watched state (no relisting).
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { CatalogEntities } from '../catalog/CatalogEntities';
import {
  addChange,
  affectedEntities,
  emptyChangeScope,
  EntityMapper,
  ObjectChange,
} from '../engine';
import { ClusterWatch } from '../sources/ClusterWatch';
import { PostureService } from './PostureService';

export interface LivePosturesOptions {
  posture: Pick<PostureService, 'evaluateWatched'>;
  catalog: Pick<CatalogEntities, 'listMapped'>;
  logger: LoggerService;
  /** How long changes gather before they are evaluated together (default 200 ms). */
  settleMs?: number;
  /** How long the catalog's mapping of entities is reused (default 60 s; `catalogChanged` ends it sooner). */
  mappingTtlMs?: number;
  /** Delay before a batch that failed is tried again (default 5 s). */
  retryMs?: number;
}

interface Pending {
  watch: ClusterWatch;
  changes: ObjectChange[];
  all: boolean;
}

export interface LiveStats {
  /** Batches evaluated and entities evaluated in them. */
  batches: number;
  entities: number;
}

export class LivePostures {
  readonly #o: LivePosturesOptions;
  readonly #pending = new Map<string, Pending>();
  /** Clusters this replica has followed: their state is known from the watch. */
  readonly #followed = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #mapper: { at: number; mapper: EntityMapper } | undefined;
  readonly stats: LiveStats = { batches: 0, entities: 0 };

  constructor(options: LivePosturesOptions) {
    this.#o = options;
  }

  /**
   * Follows a watched cluster until `signal` aborts (this replica's lease on
   * it ends): its changes are evaluated as they come.
   */
  async follow(watch: ClusterWatch, signal: AbortSignal): Promise<void> {
    const off = watch.onChanges(changes => this.#queue(watch, changes));
    try {
      const running = watch.run(signal);
      if (!this.#followed.has(watch.cluster) && (await watch.synced(signal))) {
        this.#followed.add(watch.cluster);
        this.#queue(watch, [], true);
      }
      await running;
    } finally {
      off();
      await this.idle();
    }
  }

  /**
   * The catalog's entities changed (the catalog sync found new, changed or
   * removed ones): the next batch maps changes with a fresh listing.
   */
  catalogChanged(): void {
    this.#mapper = undefined;
  }

  /** Resolves once nothing is pending or being evaluated. */
  async idle(): Promise<void> {
    while (this.#flushing || this.#timer) {
      if (this.#timer) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#flushing ??= this.#flush();
      }
      await this.#flushing;
    }
  }

  #queue(watch: ClusterWatch, changes: ObjectChange[], all = false) {
    let p = this.#pending.get(watch.cluster);
    if (!p) {
      p = { watch, changes: [], all: false };
      this.#pending.set(watch.cluster, p);
    }
    for (const c of changes) p.changes.push(c);
    p.all ||= all;
    this.#schedule(this.#o.settleMs ?? 200);
  }

  #schedule(delayMs: number) {
    if (this.#timer || this.#flushing) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#flush();
    }, delayMs);
  }

  async #mapping(): Promise<EntityMapper> {
    const ttl = this.#o.mappingTtlMs ?? 60_000;
    if (!this.#mapper || Date.now() - this.#mapper.at > ttl) {
      this.#mapper = {
        at: Date.now(),
        mapper: new EntityMapper(await this.#o.catalog.listMapped()),
      };
    }
    return this.#mapper.mapper;
  }

  async #flush(): Promise<void> {
    let failed = false;
    try {
      for (const [cluster, p] of [...this.#pending]) {
        this.#pending.delete(cluster);
        try {
          await this.#evaluate(p);
        } catch (e) {
          failed = true;
          this.#o.logger.warn(
            `Cluster ${cluster}: could not evaluate ${
              p.all ? 'the cluster' : `${p.changes.length} changes`
            } (tried again shortly): ${(e as Error).message}`,
          );
          // Put back, ahead of what came meanwhile.
          const later = this.#pending.get(cluster);
          this.#pending.set(cluster, {
            watch: p.watch,
            changes: [...p.changes, ...(later?.changes ?? [])],
            all: p.all || (later?.all ?? false),
          });
        }
      }
    } finally {
      this.#flushing = undefined;
      if (this.#pending.size > 0) {
        this.#schedule(failed ? this.#o.retryMs ?? 5000 : 0);
      }
    }
  }

  async #evaluate(p: Pending) {
    const snapshot = p.watch.snapshot();
    let refs: Set<string> | 'all' = 'all';
    if (!p.all) {
      const mapper = await this.#mapping();
      const scope = emptyChangeScope();
      for (const c of p.changes) addChange(scope, c, mapper);
      refs = affectedEntities(snapshot.objects, scope, mapper);
      if (refs !== 'all' && refs.size === 0) return;
    }
    const started = Date.now();
    const n = await this.#o.posture.evaluateWatched(snapshot, refs);
    this.stats.batches++;
    this.stats.entities += n;
    this.#o.logger.debug(
      `Cluster ${p.watch.cluster}: ${
        p.all ? 'followed from now on' : `${p.changes.length} changes`
      }; evaluated ${n} entities in ${Date.now() - started} ms`,
    );
  }
}
