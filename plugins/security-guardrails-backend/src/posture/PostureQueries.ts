/*
 * Reads of stored postures for the API and the actions: one entity's
 * posture and history, pages of postures, the org summary (cached until
 * postures change, at most a minute), trends, unowned findings, standing
 * access, and the checks catalogue. Nothing here evaluates; PostureService
 * writes what these read.
 */
import { InputError } from '@backstage/errors';
import {
  ClusterDataStatus,
  Domain,
  EntityPosture,
  PostureHistory,
  PostureListResponse,
  PostureScope,
  PostureSummary,
  PostureTrend,
  StandingAccessFindings,
  SummaryGroupBy,
  UnownedFindings,
} from '@internal/backstage-plugin-security-guardrails-common';
import { Check } from '../engine';
import { ListFilter, PostureAnswer, PostureStore } from './PostureStore';
import { summarize, trend } from './summary';

/** The checks whose findings the org view lists as standing access. */
const STANDING_ACCESS_CHECKS = [
  'maint.standing-privilege',
  'maint.expired-binding',
];

const DAY_MS = 24 * 3600 * 1000;

/** Summaries kept, by grouping and scope. */
const SUMMARY_CACHE_ENTRIES = 64;

function scoped(scope: PostureScope): boolean {
  return Boolean(
    scope.owner?.length || scope.system?.length || scope.lifecycle?.length,
  );
}

function scopeKey(scope: PostureScope): string {
  const part = (v?: string[]) => [...(v ?? [])].sort().join(',');
  return `${part(scope.owner)}|${part(scope.system)}|${part(scope.lifecycle)}`;
}

/** The rows an org view counts: every one, or those of the owners, systems and lifecycles asked for. */
export function inScope<
  T extends { owner?: string; system?: string; lifecycle?: string },
>(rows: T[], scope: PostureScope): T[] {
  if (!scoped(scope)) return rows;
  const owner = scope.owner?.length ? new Set(scope.owner) : undefined;
  const system = scope.system?.length ? new Set(scope.system) : undefined;
  const lifecycle = scope.lifecycle?.length
    ? new Set(scope.lifecycle)
    : undefined;
  return rows.filter(
    r =>
      (!owner || (r.owner !== undefined && owner.has(r.owner))) &&
      (!system || (r.system !== undefined && system.has(r.system))) &&
      (!lifecycle || (r.lifecycle !== undefined && lifecycle.has(r.lifecycle))),
  );
}

/** The widest history window one request may ask for. */
const MAX_HISTORY_DAYS = 400;

export class PostureQueries {
  readonly #store: PostureStore;
  readonly #checks: Check[];
  readonly #now: () => Date;
  readonly #summaryCache = new Map<
    string,
    { version: string; at: number; value: PostureSummary }
  >();

  constructor(options: {
    store: PostureStore;
    checks: Check[];
    now?: () => Date;
  }) {
    this.#store = options.store;
    this.#checks = options.checks;
    this.#now = options.now ?? (() => new Date());
  }

  /** Every check that runs: built-in and custom. */
  get checks(): Check[] {
    return this.#checks;
  }

  domainOf = (checkId: string): Domain | undefined =>
    this.#checks.find(c => c.meta.id === checkId)?.meta.domain;

  getPosture(entityRef: string): Promise<EntityPosture | undefined> {
    return this.#store.get(entityRef);
  }

  /** The stored posture as the API sends it (gzip-compressed when accepted and stored so). */
  getPostureAnswer(
    entityRef: string,
    options: { gzip?: boolean } = {},
  ): Promise<PostureAnswer | undefined> {
    return this.#store.getAnswer(entityRef, options);
  }

  /**
   * Score points and check changes in a window: by default the 30 days up
   * to now (or to `to`); `from` before `to`, at most 400 days apart.
   */
  async history(
    entityRef: string,
    fromDate?: Date,
    toDate?: Date,
  ): Promise<PostureHistory> {
    const to = toDate ?? this.#now();
    const from = fromDate ?? new Date(to.getTime() - 30 * DAY_MS);
    if (from.getTime() >= to.getTime()) {
      throw new InputError('Invalid query: query.from must be before query.to');
    }
    if (to.getTime() - from.getTime() > MAX_HISTORY_DAYS * DAY_MS) {
      throw new InputError(
        `Invalid query: query.from and query.to may be at most ${MAX_HISTORY_DAYS} days apart`,
      );
    }
    const fromIso = from.toISOString();
    const toIso = to.toISOString();
    const { scores, checks } = await this.#store.history(
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
    const items = await this.#store.list(filter, {
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

  async summary(
    groupBy: SummaryGroupBy,
    scope: PostureScope = {},
  ): Promise<PostureSummary> {
    const version = await this.#store.version();
    const nowMs = this.#now().getTime();
    const key = `${groupBy}|${scopeKey(scope)}`;
    const cached = this.#summaryCache.get(key);
    // Past scores shift with the clock too: reuse a summary for at most a minute.
    if (cached && cached.version === version && nowMs - cached.at < 60_000) {
      return cached.value;
    }
    const now = this.#now();
    const [rows, past7, past30, clusters] = await Promise.all([
      this.#store.summaryRows(),
      this.#store.scoresAt(new Date(now.getTime() - 7 * DAY_MS).toISOString()),
      this.#store.scoresAt(new Date(now.getTime() - 30 * DAY_MS).toISOString()),
      this.#store.getOrgState<ClusterDataStatus[]>('clusters'),
    ]);
    const value = summarize({
      rows: inScope(rows, scope),
      groupBy,
      past7,
      past30,
      domainOf: this.domainOf,
      clusters: clusters?.value ?? [],
      now,
    });
    this.#summaryCache.delete(key);
    this.#summaryCache.set(key, { version, at: nowMs, value });
    // Scopes come from callers: keep the newest few, not one per query ever asked.
    for (const old of this.#summaryCache.keys()) {
      if (this.#summaryCache.size <= SUMMARY_CACHE_ENTRIES) break;
      this.#summaryCache.delete(old);
    }
    return value;
  }

  async trend(days: number, scope: PostureScope = {}): Promise<PostureTrend> {
    const now = this.#now();
    const dayStart = Date.UTC(
      now.getUTCFullYear(),
      now.getUTCMonth(),
      now.getUTCDate(),
    );
    const from = new Date(dayStart - (days - 1) * DAY_MS);
    const [start, changes, current] = await Promise.all([
      this.#store.scoresAt(new Date(from.getTime() - 1).toISOString()),
      this.#store.historyBetween(from.toISOString(), now.toISOString()),
      scoped(scope)
        ? this.#store
            .summaryRows()
            .then(rows => inScope(rows, scope).map(r => r.entityRef))
        : this.#store.listEntityRefs(),
    ]);
    return {
      days,
      points: trend({ days, now, start, changes, current: new Set(current) }),
    };
  }

  unowned(): Promise<UnownedFindings> {
    return this.#store.getUnowned();
  }

  /**
   * Every binding flagged as standing privilege or past its expiry: those of
   * services the caller may read, then the unowned ones.
   */
  async standingAccess(
    readable: (refs: string[]) => Promise<Set<string>>,
    limit = 500,
  ): Promise<StandingAccessFindings> {
    const owned = await this.#store.flagged(STANDING_ACCESS_CHECKS);
    const allowed = await readable([...new Set(owned.map(i => i.entityRef))]);
    const unowned = (await this.#store.getUnowned()).results.filter(
      r =>
        STANDING_ACCESS_CHECKS.includes(r.checkId) &&
        (r.status === 'fail' || r.status === 'warn'),
    );
    const all: StandingAccessFindings['items'] = [
      ...owned.filter(i => allowed.has(i.entityRef)),
      ...unowned.map(result => ({ result })),
    ];
    const items = all.slice(0, limit);
    const total = all.length;
    return { items, total };
  }
}
