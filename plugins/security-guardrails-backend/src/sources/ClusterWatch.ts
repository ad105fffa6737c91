/*
 * A live cluster's state kept current by watches: each kind is listed once
 * (its resourceVersion kept), then watched from that version with
 * client-node's `Watch` (the stream and its line parsing), asking for
 * BOOKMARK events so a quiet kind's version stays recent. A watch that ends
 * (the server's timeout, a dropped connection) is resumed from the last
 * version seen; `410 Expired` (the version was compacted away) relists the
 * kind and reports what differs from what was held. Failures back off and
 * retry; nothing is lost while a kind is down, it is relisted or resumed.
 *
 * client-node's ListWatch is not used: it does not ask for bookmarks (so a
 * quiet kind is relisted after every compaction) and stops for good on the
 * first error. The state survives between `run` calls, so a replica that
 * holds the watch again resumes instead of relisting.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LoggerService } from '@backstage/backend-plugin-api';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import {
  ClusterSnapshot,
  ClusterStateSource,
  KubeObject,
  ObjectChange,
  SourceError,
} from '../engine';
import { KubernetesApiError } from './kubernetesHttp';
import {
  heldObject,
  KindDefinition,
  KINDS,
  KubernetesSource,
  listPath,
} from './KubernetesSource';

export type { ObjectChange };

export interface ClusterWatchOptions {
  cluster: string;
  /** Lists each kind (pagination, retries, 410 on continue tokens). */
  source: KubernetesSource;
  kubeConfig: KubeConfig;
  logger: LoggerService;
  kinds?: KindDefinition[];
  /** How long the server keeps one watch open (default 300 s; client-go picks 5-10 min). */
  timeoutSeconds?: number;
  /** First retry delay after a failure; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How often a kind the cluster does not serve (a CRD not installed) is listed again. */
  absentRetryMs?: number;
}

interface KindState {
  def: KindDefinition;
  objects: Map<string, KubeObject>;
  /** The version to watch from; undefined: list first. */
  resourceVersion?: string;
  /** Listed at least once. */
  listed: boolean;
  /** The cluster does not serve it (404), or withholds it (403, optional kinds). */
  absent: boolean;
  /** The last failure, cleared when the kind is listed or watched again. */
  error?: string;
}

type Listener = (changes: ObjectChange[]) => void;

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

/** Deep equality, key order aside; undefined members count as absent. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = (o: object) =>
    Object.keys(o).filter(k => (o as any)[k] !== undefined);
  const ka = keys(a);
  if (ka.length !== keys(b).length) return false;
  return ka.every(k => same((a as any)[k], (b as any)[k]));
}

/**
 * Whether a new version of an object differs in anything a check reads.
 * Objects are held without status or managedFields (`heldObject`), so a
 * kubelet's status updates to a Pod, or a controller's to a Deployment,
 * leave two versions that differ in their resourceVersion alone: no change.
 */
function changedForChecks(before: KubeObject, after: KubeObject): boolean {
  if (versionOf(before) === versionOf(after)) return false;
  const { metadata: m1, ...rest1 } = before;
  const { metadata: m2, ...rest2 } = after;
  const { resourceVersion: _v1, ...meta1 } = m1 as { resourceVersion?: string };
  const { resourceVersion: _v2, ...meta2 } = m2 as { resourceVersion?: string };
  return !same(rest1, rest2) || !same(meta1, meta2);
}

function versionOf(obj: KubeObject | undefined): string | undefined {
  return (obj?.metadata as { resourceVersion?: string } | undefined)
    ?.resourceVersion;
}

class WatchExpired extends Error {}

export class ClusterWatch {
  readonly cluster: string;
  readonly #o: ClusterWatchOptions;
  readonly #watch: Watch;
  readonly #kinds: KindState[];
  readonly #listeners = new Set<Listener>();
  #running = 0;
  #syncedAt: string | undefined;

  constructor(options: ClusterWatchOptions) {
    this.cluster = options.cluster;
    this.#o = options;
    this.#watch = new Watch(options.kubeConfig);
    this.#kinds = (options.kinds ?? KINDS).map(def => ({
      def,
      objects: new Map(),
      listed: false,
      absent: false,
    }));
  }

  /** Called with each change once the state was listed (not for the first listing). */
  onChanges(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Whether the state is being followed now: `run` is under way and every
   * core kind was listed and has no failure outstanding.
   */
  get live(): boolean {
    return (
      this.#running > 0 &&
      this.#allListed() &&
      this.#kinds.every(k => k.def.optional || !k.error)
    );
  }

  /** Every core kind has been listed at least once. */
  #allListed(): boolean {
    return this.#kinds.every(k => k.def.optional || k.listed);
  }

  /** The objects held now, in the order of KINDS (as a full read gives them). */
  snapshot(): ClusterSnapshot {
    const objects: KubeObject[] = [];
    const errors: SourceError[] = [];
    for (const k of this.#kinds) {
      for (const o of k.objects.values()) objects.push(o);
      if (k.error) errors.push({ kind: k.def.kind, message: k.error });
    }
    return {
      cluster: this.cluster,
      readAt: this.live ? new Date().toISOString() : this.#syncedAt ?? null,
      status: errors.length ? 'partial' : 'ok',
      objects,
      errors,
    };
  }

  /**
   * Lists what was never listed and watches every kind until `signal`
   * aborts. Resolves once every kind's loop stopped. The first full listing
   * is done when `synced` resolves.
   */
  async run(signal: AbortSignal): Promise<void> {
    this.#running++;
    try {
      await Promise.all(this.#kinds.map(k => this.#follow(k, signal)));
    } finally {
      this.#running--;
    }
  }

  /** Resolves when every core kind has been listed (or `signal` aborts). */
  async synced(signal: AbortSignal, pollMs = 50): Promise<boolean> {
    while (!signal.aborted) {
      if (this.#allListed()) return true;
      await sleep(pollMs, undefined, { signal }).catch(() => undefined);
    }
    return false;
  }

  #emit(changes: ObjectChange[]) {
    if (changes.length === 0) return;
    for (const listener of this.#listeners) {
      try {
        listener(changes);
      } catch (e) {
        this.#o.logger.warn(
          `Cluster ${this.cluster}: a change listener failed: ${
            (e as Error).message
          }`,
        );
      }
    }
  }

  async #follow(k: KindState, signal: AbortSignal) {
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (k.resourceVersion === undefined) await this.#relist(k);
        if (k.absent) {
          await sleep(this.#o.absentRetryMs ?? 5 * 60_000, undefined, {
            signal,
          });
          k.absent = false;
          continue;
        }
        await this.#watchOnce(k, signal);
        failures = 0;
      } catch (e) {
        if (signal.aborted) break;
        if (e instanceof WatchExpired) {
          k.resourceVersion = undefined; // relist at once
          continue;
        }
        failures++;
        const forbidden =
          (e as { statusCode?: number }).statusCode === 403 ||
          (e instanceof KubernetesApiError && e.status === 403);
        const verb = k.listed ? 'watch' : 'list';
        k.error = forbidden
          ? `the backend's identity may not ${verb} ${k.def.plural} (give its role \`${verb}\`, see deploy/rbac.yaml); the scheduled refresh reads the cluster meanwhile`
          : `${k.listed ? 'watching' : 'listing'} ${k.def.kind}: ${
              (e as Error).message
            }`;
        // Forbidden does not pass by itself: asked again rarely.
        const delay = forbidden
          ? this.#o.absentRetryMs ?? 5 * 60_000
          : Math.min(
              (this.#o.backoffMs ?? 500) * 2 ** (failures - 1),
              this.#o.maxBackoffMs ?? 30_000,
            );
        // Once per streak of failures, not at every retry.
        if (failures === 1) {
          this.#o.logger.warn(
            `Cluster ${this.cluster}: ${k.error}; retrying in ${delay} ms`,
          );
        }
        await sleep(delay, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /** Lists the kind and reports what differs from what was held. */
  async #relist(k: KindState) {
    let listed: { items: KubeObject[]; resourceVersion?: string };
    try {
      listed = await this.#o.source.list(k.def);
    } catch (e) {
      const status = e instanceof KubernetesApiError ? e.status : undefined;
      if (!(k.def.optional && (status === 404 || status === 403))) throw e;
      // An optional kind the cluster does not serve or withholds: nothing held.
      listed = { items: [], resourceVersion: undefined };
      k.absent = true;
    }
    const next = new Map<string, KubeObject>();
    for (const o of listed.items) next.set(keyOf(o), o);
    const changes: ObjectChange[] = [];
    for (const [key, after] of next) {
      const before = k.objects.get(key);
      if (!before || changedForChecks(before, after)) {
        changes.push({ kind: k.def.kind, before, after });
      }
    }
    for (const [key, before] of k.objects) {
      if (!next.has(key)) changes.push({ kind: k.def.kind, before });
    }
    const first = !k.listed;
    k.objects = next;
    k.resourceVersion = k.absent ? undefined : listed.resourceVersion ?? '0';
    k.listed = true;
    k.error = undefined;
    if (this.#allListed()) this.#syncedAt ??= new Date().toISOString();
    if (!first) this.#emit(changes);
  }

  #apply(k: KindState, type: string, raw: Record<string, any>) {
    if (!raw?.metadata?.name) return;
    const obj = heldObject(raw, k.def);
    const key = keyOf(obj);
    const before = k.objects.get(key);
    if (type === 'DELETED') {
      if (!before) return;
      k.objects.delete(key);
      this.#emit([{ kind: k.def.kind, before }]);
      return;
    }
    if (before && versionOf(before) === versionOf(obj)) return;
    k.objects.set(key, obj);
    if (before && !changedForChecks(before, obj)) return; // status only
    this.#emit([{ kind: k.def.kind, before, after: obj }]);
  }

  /** One watch request, until the server ends it; throws WatchExpired on 410. */
  #watchOnce(k: KindState, signal: AbortSignal): Promise<void> {
    const timeoutSeconds = this.#o.timeoutSeconds ?? 300;
    return new Promise<void>((resolve, reject) => {
      let controller: AbortController | undefined;
      let failure: Error | undefined;
      let finished = false;
      // Before the server answered there is nothing to abort yet: the
      // request is given up, and aborted when its answer comes.
      const stop = () => (controller ? controller.abort() : done(null));
      // A connection that went silent without closing is dropped after the
      // server's own timeout has passed.
      const watchdog = setTimeout(stop, (timeoutSeconds + 30) * 1000);
      signal.addEventListener('abort', stop);
      function done(err: any) {
        if (finished) return;
        finished = true;
        clearTimeout(watchdog);
        signal.removeEventListener('abort', stop);
        if (err?.statusCode === 410) failure = new WatchExpired('410');
        if (failure) reject(failure);
        else if (err && !signal.aborted && err.name !== 'AbortError')
          reject(err);
        else resolve();
      }
      this.#watch
        .watch(
          listPath(k.def),
          {
            allowWatchBookmarks: true,
            resourceVersion: k.resourceVersion,
            timeoutSeconds,
          },
          (type: string, obj: any) => {
            if (type === 'ERROR') {
              failure =
                obj?.code === 410
                  ? new WatchExpired(obj?.message ?? '410')
                  : new Error(obj?.message ?? 'the watch reported an error');
              stop();
              return;
            }
            if (k.error) k.error = undefined;
            if (type !== 'BOOKMARK') this.#apply(k, type, obj);
            const rv = obj?.metadata?.resourceVersion;
            if (rv) k.resourceVersion = rv;
          },
          done,
        )
        .then(c => {
          controller = c;
          if (finished || signal.aborted || failure) c.abort();
          else k.error = undefined;
        }, done);
    });
  }
}

/**
 * A live cluster's source for full reads: the watched state while this
 * replica follows the cluster (no relisting), a full listing otherwise.
 */
export class WatchedSource implements ClusterStateSource {
  readonly cluster: string;

  constructor(
    private readonly watch: ClusterWatch,
    private readonly fallback: ClusterStateSource,
  ) {
    this.cluster = fallback.cluster;
  }

  async read(): Promise<ClusterSnapshot> {
    return this.watch.live ? this.watch.snapshot() : this.fallback.read();
  }
}
