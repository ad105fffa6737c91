/*
 * The stored answers this replica served or wrote, in memory, so that an
 * entity's posture is answered without a database round trip.
 *
 * Every change to stored postures writes a new posture version in the same
 * transaction (operations/postureVersion.ts), and every replica shares that
 * row. The cache holds answers as of one version:
 * - A read checks the version at most once per `maxStalenessMs` (one query,
 *   however many requests wait on it); a different version empties the cache.
 *   So another replica's change shows here within `maxStalenessMs`.
 * - This replica's own writes report the version they replaced and the one
 *   they wrote (read under the row's lock, so writes of all replicas form one
 *   chain), and keep the answers they wrote. When the replaced version is the
 *   one the cache holds, nobody else wrote in between: the cache moves to the
 *   new version. Otherwise it empties first, and the next read checks the
 *   version. So a full refresh leaves its replica holding every answer.
 * - A load that started before the cache emptied or moved is not kept.
 *
 * Answers are kept newest-used first up to `maxBytes` of compressed bodies.
 * Only compressed answers of the current format are kept; anything else is
 * read from the database each time.
 */

/** A stored, gzip-compressed answer and its ETag. */
export interface CachedAnswer {
  gzip: Buffer;
  etag: string;
}

/** A change to stored postures this replica committed. */
export interface PostureWrite {
  /** The posture version before the change (empty when there was none). */
  previous: string;
  /** The version the change wrote. */
  current: string;
  /** Each changed entity's new answer; undefined when it has none to keep (deleted, stale). */
  answers: Map<string, CachedAnswer | undefined>;
}

/** Bytes an entry costs beyond its body: its key, ETag and the map's own. */
const ENTRY_OVERHEAD = 200;

export class AnswerCache {
  readonly #maxBytes: number;
  readonly #maxStalenessMs: number;
  readonly #readVersion: () => Promise<string>;
  readonly #now: () => number;
  /** In least recently used order. */
  readonly #entries = new Map<string, CachedAnswer>();
  #bytes = 0;
  /** The version the entries are answers of; undefined until read. */
  #version: string | undefined;
  #checkedAt = -Infinity;
  #checking: Promise<void> | undefined;
  /** Moves on every change of version or entries: a load older than it is not kept. */
  #generation = 0;

  constructor(options: {
    maxBytes: number;
    maxStalenessMs: number;
    readVersion: () => Promise<string>;
    now?: () => number;
  }) {
    this.#maxBytes = options.maxBytes;
    this.#maxStalenessMs = options.maxStalenessMs;
    this.#readVersion = options.readVersion;
    this.#now = options.now ?? Date.now;
  }

  /** Compressed bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entities held. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The entity's answer: from memory when the cache holds it as of a version
   * checked at most `maxStalenessMs` ago, else from `load` (kept when nothing
   * changed while it loaded).
   */
  async get(
    entityRef: string,
    load: () => Promise<CachedAnswer | undefined>,
  ): Promise<CachedAnswer | undefined> {
    await this.#current();
    const held = this.#entries.get(entityRef);
    if (held) {
      this.#entries.delete(entityRef);
      this.#entries.set(entityRef, held);
      return held;
    }
    const generation = this.#generation;
    const loaded = await load();
    if (loaded && generation === this.#generation) {
      this.#put(entityRef, loaded);
    }
    return loaded;
  }

  /** This replica committed a change to stored postures. */
  wrote(change: PostureWrite): void {
    this.#generation++;
    if (!change.previous || change.previous !== this.#version) {
      // Another replica wrote since the version held, or none was read yet,
      // or this is the first version ever written (two replicas may both
      // have written one over none): nothing held can be trusted. What this
      // write stored is current as of its version; the next read checks
      // that the version is still that.
      this.#clear();
      this.#checkedAt = -Infinity;
    }
    for (const [entityRef, answer] of change.answers) {
      this.#remove(entityRef);
      if (answer) this.#put(entityRef, answer);
    }
    this.#version = change.current;
  }

  /** Re-reads the version when it was read more than `maxStalenessMs` ago. */
  async #current(): Promise<void> {
    if (this.#now() - this.#checkedAt < this.#maxStalenessMs) return;
    if (!this.#checking) {
      const check = async () => {
        const startedAt = this.#now();
        const generation = this.#generation;
        const version = await this.#readVersion();
        // A write of this replica while reading knows better.
        if (generation !== this.#generation) return;
        if (version !== this.#version) {
          this.#generation++;
          this.#clear();
          this.#version = version;
        }
        this.#checkedAt = startedAt;
      };
      this.#checking = check().finally(() => {
        this.#checking = undefined;
      });
    }
    await this.#checking;
  }

  #put(entityRef: string, answer: CachedAnswer) {
    const cost = answer.gzip.length + ENTRY_OVERHEAD;
    if (cost > this.#maxBytes) return;
    this.#remove(entityRef);
    this.#entries.set(entityRef, answer);
    this.#bytes += cost;
    for (const [oldest, old] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= old.gzip.length + ENTRY_OVERHEAD;
    }
  }

  #remove(entityRef: string) {
    const held = this.#entries.get(entityRef);
    if (!held) return;
    this.#entries.delete(entityRef);
    this.#bytes -= held.gzip.length + ENTRY_OVERHEAD;
  }

  #clear() {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
