/*
 * What the clusters look like, as last read: every source read at once, an
 * unreadable cluster falling back to its last good state (and remembered as
 * unreachable since when), concurrent readers sharing one read, and the
 * state handed out again while it is younger than the refresh interval.
 * The evaluation paths of PostureService all take their state from here.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { ClusterDataStatus } from '@internal/backstage-plugin-security-guardrails-common';
import { ClusterSnapshot, ClusterStateSource } from '../engine';

export interface ClusterState {
  snapshots: ClusterSnapshot[];
  unavailable: ClusterDataStatus[];
  /** Increases with every read, so outcomes decided on one state are not decided again. */
  version: number;
  /** When it was read (ms since the epoch, this process's clock). */
  readAtMs: number;
  /**
   * When the read began (ISO, the service's clock): nothing older than this
   * is in it. Stored with each posture evaluated from it, so a long full
   * refresh does not overwrite a posture evaluated from a later state.
   */
  observedAt: string;
}

/** Why an entity that should have a posture has none yet, and when to ask again. */
export interface PendingPosture {
  reason: 'evaluating' | 'cluster-unreachable';
  message: string;
  retryAfterSeconds: number;
}

/** Cluster state older than this is read again before an on-demand or sync evaluation (the default refresh interval). */
const MAX_STATE_AGE_MS = 10 * 60 * 1000;

export class ClusterStateCache {
  readonly #lastGood = new Map<string, ClusterSnapshot>();
  /** When each cluster that cannot be read was first found so. */
  readonly #unreachableSince = new Map<string, string>();
  #latest: ClusterState | undefined;
  #reading: Promise<ClusterState> | undefined;
  #version = 0;

  constructor(
    private readonly options: {
      sources: ClusterStateSource[];
      logger: LoggerService;
      now: () => Date;
    },
  ) {}

  /** The state last read, if any. */
  get latest(): ClusterState | undefined {
    return this.#latest;
  }

  /** Reads every cluster now; unreadable ones fall back to their last good state. */
  async read(): Promise<ClusterState> {
    const observedAt = this.options.now().toISOString();
    const snapshots: ClusterSnapshot[] = [];
    const unavailable: ClusterDataStatus[] = [];
    const read = await Promise.all(
      this.options.sources.map(async source => {
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
        this.#unreachableSince.delete(snapshot.cluster);
        snapshots.push(snapshot);
        continue;
      }
      if (!this.#unreachableSince.has(snapshot.cluster)) {
        this.#unreachableSince.set(
          snapshot.cluster,
          this.options.now().toISOString(),
        );
      }
      const message =
        snapshot.errors
          .slice(0, 3)
          .map(e => e.message)
          .join('; ') || 'unreachable';
      this.options.logger.warn(
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
    const state = {
      snapshots,
      unavailable,
      version: ++this.#version,
      readAtMs: Date.now(),
      observedAt,
    };
    this.#latest = state;
    return state;
  }

  /**
   * The state with one cluster's snapshot as a watch holds it now: the other
   * clusters as last read. Reads them first if nothing was read yet.
   */
  async replace(snapshot: ClusterSnapshot): Promise<ClusterState> {
    const observedAt = this.options.now().toISOString();
    const latest = this.#latest ?? (await this.shared());
    this.#lastGood.set(snapshot.cluster, snapshot);
    this.#unreachableSince.delete(snapshot.cluster);
    const state: ClusterState = {
      snapshots: [
        ...latest.snapshots.filter(s => s.cluster !== snapshot.cluster),
        snapshot,
      ],
      unavailable: latest.unavailable.filter(
        c => c.cluster !== snapshot.cluster,
      ),
      version: ++this.#version,
      readAtMs: latest.readAtMs,
      // Other clusters are as of their last full read; the watched one's
      // change is what a later refresh must not undo.
      observedAt,
    };
    this.#latest = state;
    return state;
  }

  /** A fresh read of every cluster, shared by callers that ask while one is under way. */
  shared(): Promise<ClusterState> {
    if (!this.#reading) {
      this.#reading = this.read().finally(() => {
        this.#reading = undefined;
      });
    }
    return this.#reading;
  }

  /**
   * The cluster state already read; the first caller after start waits for
   * the first read. A replica that does not run the scheduled refresh (it is
   * global) reads again when its state is older than the refresh interval.
   */
  current(): Promise<ClusterState> {
    const latest = this.#latest;
    return latest && Date.now() - latest.readAtMs < MAX_STATE_AGE_MS
      ? Promise.resolve(latest)
      : this.shared();
  }

  /** Why entities wait for these clusters, naming each and since when. */
  unreachablePending(unavailable: ClusterDataStatus[]): PendingPosture {
    const which = unavailable
      .map(c => {
        const since = this.#unreachableSince.get(c.cluster);
        return `cluster ${c.cluster} unreachable${
          since ? ` since ${since}` : ''
        }${c.message ? ` (${c.message})` : ''}`;
      })
      .join('; ');
    return {
      reason: 'cluster-unreachable',
      message: `Waiting for cluster state: ${which}. It is evaluated as soon as the cluster can be read.`,
      retryAfterSeconds: 30,
    };
  }

  /** Each cluster's status as last read, or undefined before the first read. */
  statuses(): ClusterDataStatus[] | undefined {
    const latest = this.#latest;
    if (!latest) return undefined;
    return [
      ...latest.snapshots.map(s => ({
        cluster: s.cluster,
        readAt: s.readAt,
        status: s.status,
        ...(s.errors.length
          ? {
              message: s.errors
                .slice(0, 3)
                .map(e => e.message)
                .join('; '),
            }
          : {}),
      })),
      ...latest.unavailable,
    ];
  }
}
