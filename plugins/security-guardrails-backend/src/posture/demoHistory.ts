/*
 * A demo seed, never for production: `securityGuardrails.demo.seedHistoryDays`
 * gives a fresh demo a past. Before an entity's first posture is stored, one
 * posture per day for that many days is stored under it, derived from the
 * real one: a few checks that pass today failed until a day in the month, a
 * check that fails today passed until a few days ago, the other failures
 * failed all along. Trends, "what moved" and "failing since" then have
 * something to show. The same entity always gets the same past (a hash of
 * its ref picks the days), and each past posture is scored by the real
 * scoring.
 */
import { createHash } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  CheckResult,
  resultKey,
  scoreResults,
} from '@internal/backstage-plugin-security-guardrails-common';
import { PostureRecord, PostureStore } from './PostureStore';

const DAY_MS = 86_400_000;

/** Stores a past for entities about to get their first posture. */
export interface HistorySeeder {
  seed(records: PostureRecord[], now: Date): Promise<void>;
}

/** A number in [0, 1) from a text: the same text, the same number. */
function unit(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/** Whole days in [min, max], picked by `text`. */
function dayIn(text: string, min: number, max: number): number {
  return min + Math.floor(unit(text) * (max - min + 1));
}

interface Story {
  /** Passing today; failing until this many days ago. */
  fixed: Map<string, number>;
  /** Failing today; passing until this many days ago. */
  broke: Map<string, number>;
}

function storyOf(record: PostureRecord, days: number): Story {
  const ref = record.entityRef;
  const graded = record.results.filter(r => !r.temporaryAccess);
  const byHash = (rs: CheckResult[]) =>
    rs
      .map(r => ({ key: resultKey(r), h: unit(`${ref}|${resultKey(r)}`) }))
      .sort((a, b) => a.h - b.h)
      .map(x => x.key);
  const passing = byHash(graded.filter(r => r.status === 'pass'));
  const failing = byHash(graded.filter(r => r.status === 'fail'));
  const fixed = new Map<string, number>();
  const howMany = 1 + Math.floor(unit(`${ref}|fixes`) * 3);
  for (const key of passing.slice(0, howMany)) {
    fixed.set(key, dayIn(`${ref}|${key}|fixed`, 3, Math.max(3, days - 3)));
  }
  const broke = new Map<string, number>();
  // Half the services with a failure started failing recently.
  if (failing.length && unit(`${ref}|regressed`) < 0.5) {
    broke.set(
      failing[0],
      dayIn(`${ref}|${failing[0]}|broke`, 2, Math.min(12, days)),
    );
  }
  return { fixed, broke };
}

/** The record as it stood `daysAgo` days before `record`, in the story. */
export function pastRecord(
  record: PostureRecord,
  story: Story,
  daysAgo: number,
  at: Date,
): PostureRecord {
  const results = record.results.map(r => {
    const key = resultKey(r);
    const fixedOn = story.fixed.get(key);
    if (fixedOn !== undefined && daysAgo > fixedOn) {
      return {
        ...r,
        status: 'fail' as const,
        message: `${r.message} (demo history: failed until ${fixedOn} days ago)`,
      };
    }
    const brokeOn = story.broke.get(key);
    if (brokeOn !== undefined && daysAgo > brokeOn) {
      return {
        ...r,
        status: 'pass' as const,
        message: `Passed (demo history: until ${brokeOn} days ago).`,
      };
    }
    return r;
  });
  const evaluatedAt = at.toISOString();
  return {
    ...record,
    evaluatedAt,
    stale: false,
    clusters: record.clusters.map(c => ({
      ...c,
      readAt: evaluatedAt,
      status: 'ok' as const,
    })),
    score: scoreResults(results),
    results,
  };
}

/**
 * Seeds `days` days of daily postures for entities the store has never
 * evaluated. Seeds run one at a time, so a real posture saved after `seed`
 * resolves is always the newest; each entity is claimed in the database
 * first, so of several replicas one seeds it, and never twice (another
 * replica's first posture may be stored before the seed is, and is then
 * stored again by the next evaluation).
 */
export class DemoHistorySeeder implements HistorySeeder {
  readonly #store: PostureStore;
  readonly #days: number;
  readonly #logger: LoggerService;
  #known?: Promise<Set<string>>;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: {
    store: PostureStore;
    days: number;
    logger: LoggerService;
  }) {
    this.#store = options.store;
    this.#days = options.days;
    this.#logger = options.logger;
  }

  seed(records: PostureRecord[], now: Date): Promise<void> {
    const run = this.#queue.then(() => this.#seed(records, now));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #seed(records: PostureRecord[], now: Date): Promise<void> {
    this.#known ??= this.#store
      .evaluatedVersions()
      .then(v => new Set(v.keys()));
    const known = await this.#known;
    const candidates = records.filter(r => r.mapped && !known.has(r.entityRef));
    if (candidates.length === 0) return;
    for (const r of candidates) known.add(r.entityRef);
    // One replica seeds an entity, once: a claim in the database per entity.
    const claims = await Promise.all(
      candidates.map(r =>
        this.#store.claimOrgState(
          `demo-seed:${createHash('sha256')
            .update(r.entityRef)
            .digest('hex')
            .slice(0, 40)}`,
          { entityRef: r.entityRef, days: this.#days },
          now,
        ),
      ),
    );
    const fresh = candidates.filter((_, i) => claims[i]);
    if (fresh.length === 0) return;
    const stories = new Map(
      fresh.map(r => [r.entityRef, storyOf(r, this.#days)]),
    );
    const today = Date.UTC(
      now.getUTCFullYear(),
      now.getUTCMonth(),
      now.getUTCDate(),
    );
    for (let daysAgo = this.#days; daysAgo >= 1; daysAgo--) {
      // Mornings in the past, never later than now.
      const at = new Date(
        Math.min(
          today - daysAgo * DAY_MS + 9 * 3_600_000,
          now.getTime() - daysAgo * DAY_MS,
        ),
      );
      await this.#store.save(
        fresh.map(r => pastRecord(r, stories.get(r.entityRef)!, daysAgo, at)),
        at,
      );
    }
    this.#logger.info(
      `Seeded ${this.#days} days of demo history for ${
        fresh.length
      } entities (securityGuardrails.demo.seedHistoryDays; a demo seed, not real history)`,
    );
  }
}
