/*
 * Campaigns in the plugin's database, and their progress read from the
 * posture tables in the database: the services in scope are posture rows
 * filtered by owner, system and lifecycle, and by tags, namespaces and
 * clusters through the facet index; a service is done when none of
 * the target checks is in its failing-check index (an exempt result is not
 * failing) and its grade reaches the target's. Only light columns are read,
 * never the stored results.
 */
import {
  ANY_CAMPAIGN_SCOPE,
  Campaign,
  CampaignExemption,
  CampaignScope,
  CampaignService,
  CampaignState,
  compareStrings,
  Grade,
} from '@internal/backstage-plugin-security-guardrails-common';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { connect } from '../database/migrate';
import { inScope } from '../posture/PostureQueries';
import { readPostureVersion } from '../posture/operations/postureVersion';
import {
  CampaignRow,
  chunks,
  PostureFacet,
  PostureFacetRow,
  PostureRow,
  ScopeHistoryRow,
  ScopeState,
  TABLES,
} from '../database/tables';

const PROGRESS_LIST_LIMIT = 500;

/** A posture row as progress reads it: light columns only. */
interface RemainingRow {
  entity_ref: string;
  owner: string | null;
  grade: Grade | null;
  /** The grade the target asks of: overall, or the domain's. */
  target_grade: Grade | null;
}

/**
 * Whether a campaign's scope covers a service in a scope state: every list
 * that is not empty has the service's value, or one of its values. The rule
 * #inScope puts in SQL.
 */
export function scopeCovers(scope: CampaignScope, s: ScopeState): boolean {
  const any = (list: string[], values: string[]) =>
    !list.length || values.some(v => list.includes(v));
  return (
    // Owner, system and lifecycle: the org view's own filter rule.
    inScope(
      [
        {
          owner: s.owner ?? undefined,
          system: s.system ?? undefined,
          lifecycle: s.lifecycle ?? undefined,
        },
      ],
      {
        owner: scope.owners,
        system: scope.systems,
        lifecycle: scope.lifecycles,
      },
    ).length === 1 &&
    any(scope.tags, s.tags) &&
    any(scope.namespaces, s.namespaces) &&
    any(scope.clusters, s.clusters)
  );
}

/** The scope lists kept in the facet index, by facet. */
const FACETS: Array<[keyof CampaignScope, PostureFacet]> = [
  ['tags', 'tag'],
  ['namespaces', 'namespace'],
  ['clusters', 'cluster'],
];
const DAY_MS = 86_400_000;

function toCampaign(row: CampaignRow): Campaign {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    owner: row.owner,
    state: row.state as CampaignState,
    startsAt: row.starts_at,
    deadline: row.deadline,
    target: JSON.parse(row.target),
    // Campaigns stored before tags, namespaces and clusters were scopes have none.
    scope: { ...ANY_CAMPAIGN_SCOPE, ...JSON.parse(row.scope) },
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
    ...(row.ended_at ? { endedAt: row.ended_at } : {}),
    ...(row.outcome ? { outcome: row.outcome as 'met' | 'missed' } : {}),
  };
}

function toRow(c: Campaign): CampaignRow {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    owner: c.owner,
    state: c.state,
    starts_at: c.startsAt,
    deadline: c.deadline,
    target: JSON.stringify(c.target),
    scope: JSON.stringify(c.scope),
    created_by: c.createdBy,
    created_at: c.createdAt,
    updated_by: c.updatedBy,
    updated_at: c.updatedAt,
    ended_at: c.endedAt ?? null,
    outcome: c.outcome ?? null,
  };
}

const GRADES: Grade[] = ['A', 'B', 'C', 'D', 'F'];

/** The grades at or above `min`, best first. */
function gradesAtLeast(min: Grade): Grade[] {
  return GRADES.slice(0, GRADES.indexOf(min) + 1);
}

export class DatabaseCampaignStore {
  /** Connects (running the plugin's migrations unless skipped) and returns the store. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseCampaignStore> {
    return new DatabaseCampaignStore(await connect(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async create(campaign: Campaign): Promise<Campaign> {
    await this.db(TABLES.campaigns).insert(toRow(campaign));
    return campaign;
  }

  async get(id: string): Promise<Campaign | undefined> {
    const row = await this.db(TABLES.campaigns).where('id', id).first();
    return row ? toCampaign(row) : undefined;
  }

  async list(states?: CampaignState[]): Promise<Campaign[]> {
    const q = this.db(TABLES.campaigns);
    if (states?.length) q.whereIn('state', states);
    const rows: CampaignRow[] = await q
      .orderBy('deadline', 'desc')
      .orderBy('id', 'asc')
      .limit(1000);
    return rows.map(toCampaign);
  }

  /**
   * Replaces a campaign if it is still as `expected` says (its updatedAt):
   * false when someone else changed it first.
   */
  async update(next: Campaign, expectedUpdatedAt: string): Promise<boolean> {
    const n = await this.db(TABLES.campaigns)
      .where({ id: next.id, updated_at: expectedUpdatedAt })
      .update(toRow(next));
    return Number(n) === 1;
  }

  /** A marker that changes whenever stored postures change (see postureVersion). */
  postureVersion(): Promise<string> {
    return readPostureVersion(this.db);
  }

  /**
   * The posture rows a campaign's scope covers, as a query to narrow: every
   * list that is not empty must match, and a list matches any of its values
   * (tags, namespaces and clusters through the facet index).
   */
  #inScope(c: Campaign, q: Knex.QueryBuilder): Knex.QueryBuilder {
    if (c.scope.owners.length) q.whereIn('p.owner', c.scope.owners);
    if (c.scope.systems.length) q.whereIn('p.system', c.scope.systems);
    if (c.scope.lifecycles.length) q.whereIn('p.lifecycle', c.scope.lifecycles);
    for (const [key, facet] of FACETS) {
      const values = c.scope[key];
      if (!values.length) continue;
      q.whereIn(
        'p.entity_ref',
        this.db(TABLES.postureFacets)
          .where('facet', facet)
          .whereIn('value', values)
          .select('entity_ref'),
      );
    }
    return q;
  }

  /** Grade column and acceptable grades of the target, if it has a grade. */
  #gradeRule(c: Campaign): { column: string; grades: Grade[] } | undefined {
    if (!c.target.minGrade) return undefined;
    // The domain was validated against DOMAINS, so the column name is safe.
    const column = c.target.domain ? `p.grade_${c.target.domain}` : 'p.grade';
    return { column, grades: gradesAtLeast(c.target.minGrade) };
  }

  /**
   * Every service in scope with what it lacks, counted in the database:
   * services and done by owner (grouped there), and the services not done
   * (most failing target checks first, then below the grade), at most
   * `limit` of them; of one owner's services only with `owner`. For one
   * entity (`entityRef`), its status whether done or not.
   */
  async progress(
    c: Campaign,
    options: { entityRef?: string; owner?: string; limit?: number } = {},
  ): Promise<{
    services: number;
    done: number;
    byOwner: Array<{ owner: string; services: number; done: number }>;
    remaining: CampaignService[];
  }> {
    if (options.entityRef) return this.#entityProgress(c, options.entityRef);
    const rule = this.#gradeRule(c);
    // An owner's part: the scope's services that owner owns.
    const scoped = (q: Knex.QueryBuilder) => {
      this.#inScope(c, q);
      if (options.owner) q.where('p.owner', options.owner);
      return q;
    };
    const checks = c.target.checkIds;
    // The posture rows in scope, each with how many target checks it fails
    // (fc.n, null for none): one grouped pass over the failing index joined
    // in, rather than a lookup per row.
    const inScopeWithFailing = () => {
      const q = scoped(this.db(`${TABLES.posture} as p`));
      if (checks.length) {
        q.leftJoin(
          this.db(TABLES.postureFailing)
            .whereIn('check_id', checks)
            .groupBy('entity_ref')
            .select('entity_ref')
            .count({ n: '*' })
            .as('fc'),
          'fc.entity_ref',
          'p.entity_ref',
        );
      }
      return q;
    };
    const grades = rule?.grades.map(() => '?').join(', ');
    // Done: no target check failing, and the grade reached.
    const done: string[] = [];
    const doneBindings: Knex.RawBinding[] = [];
    if (checks.length) done.push('fc.n IS NULL');
    if (rule) {
      done.push(`?? IN (${grades})`);
      doneBindings.push(rule.column, ...rule.grades);
    }
    const counted: Array<{
      owner: string | null;
      services: number | string;
      done: number | string | null;
    }> = await inScopeWithFailing()
      .select('p.owner')
      .count({ services: '*' })
      .sum({
        done: this.db.raw(
          `CASE WHEN ${done.join(' AND ')} THEN 1 ELSE 0 END`,
          doneBindings,
        ),
      })
      .groupBy('p.owner');
    const byOwner = counted
      .map(r => ({
        owner: r.owner ?? '(no owner)',
        services: Number(r.services),
        done: Number(r.done ?? 0),
      }))
      .sort((a, b) => a.owner.localeCompare(b.owner));
    const services = byOwner.reduce((n, o) => n + o.services, 0);
    const doneCount = byOwner.reduce((n, o) => n + o.done, 0);
    const limit = options.limit ?? PROGRESS_LIST_LIMIT;
    if (limit <= 0 || doneCount === services) {
      return { services, done: doneCount, byOwner, remaining: [] };
    }
    // Not done: a target check failing, or the grade not reached (or none).
    const notDone: string[] = [];
    const notDoneBindings: Knex.RawBinding[] = [];
    if (checks.length) notDone.push('fc.n IS NOT NULL');
    if (rule) {
      notDone.push(`?? IS NULL OR ?? NOT IN (${grades})`);
      notDoneBindings.push(rule.column, rule.column, ...rule.grades);
    }
    const rows: RemainingRow[] = await inScopeWithFailing()
      .whereRaw(`(${notDone.join(' OR ')})`, notDoneBindings)
      .select(
        'p.entity_ref',
        'p.owner',
        'p.grade',
        this.db.raw(`${rule ? rule.column : 'p.grade'} as target_grade`),
        this.db.raw(
          checks.length
            ? 'COALESCE(fc.n, 0) as failing_count'
            : '0 as failing_count',
        ),
        rule
          ? this.db.raw(
              `CASE WHEN ?? IN (${grades}) THEN 0 ELSE 1 END as below_grade`,
              [rule.column, ...rule.grades],
            )
          : this.db.raw('0 as below_grade'),
      )
      .orderBy([
        { column: 'failing_count', order: 'desc' },
        { column: 'below_grade', order: 'desc' },
        { column: 'p.entity_ref', order: 'asc' },
      ])
      .limit(limit);
    const remaining = (await this.#statuses(c, rows)).sort(
      (a, b) =>
        b.failingChecks.length - a.failingChecks.length ||
        Number(b.belowGrade) - Number(a.belowGrade) ||
        a.entityRef.localeCompare(b.entityRef),
    );
    return { services, done: doneCount, byOwner, remaining };
  }

  /** One entity's progress: its status, done or not, if it is in scope. */
  async #entityProgress(c: Campaign, entityRef: string) {
    const rule = this.#gradeRule(c);
    const rows: RemainingRow[] = await this.#inScope(
      c,
      this.db(`${TABLES.posture} as p`),
    )
      .where('p.entity_ref', entityRef)
      .select(
        'p.entity_ref',
        'p.owner',
        'p.grade',
        this.db.raw(`${rule ? rule.column : 'p.grade'} as target_grade`),
      );
    const status = await this.#statuses(c, rows);
    const byOwner = status.map(s => ({
      owner: s.owner ?? '(no owner)',
      services: 1,
      done: s.done ? 1 : 0,
    }));
    return {
      services: status.length,
      done: status.filter(s => s.done).length,
      byOwner,
      remaining: status,
    };
  }

  /** What each of some services in scope lacks: its failing target checks (from the index) and its grade. */
  async #statuses(
    c: Campaign,
    rows: RemainingRow[],
  ): Promise<CampaignService[]> {
    const rule = this.#gradeRule(c);
    const failing = new Map<string, string[]>();
    if (c.target.checkIds.length && rows.length) {
      const hits: Array<{ entity_ref: string; check_id: string }> =
        await this.db(TABLES.postureFailing)
          .whereIn('check_id', c.target.checkIds)
          .whereIn(
            'entity_ref',
            rows.map(r => r.entity_ref),
          )
          .select('entity_ref', 'check_id');
      for (const h of hits) {
        const list = failing.get(h.entity_ref) ?? [];
        list.push(h.check_id);
        failing.set(h.entity_ref, list);
      }
    }
    return rows.map(r => {
      const failingChecks = (failing.get(r.entity_ref) ?? []).sort();
      const belowGrade = rule
        ? !r.target_grade || !rule.grades.includes(r.target_grade)
        : false;
      return {
        entityRef: r.entity_ref,
        ...(r.owner ? { owner: r.owner } : {}),
        grade: r.grade ?? null,
        done: failingChecks.length === 0 && !belowGrade,
        failingChecks,
        belowGrade,
      };
    });
  }

  /** Exemption requests that name a campaign, newest first. */
  async exemptions(c: Campaign): Promise<CampaignExemption[]> {
    const rows: Array<{
      id: string;
      entity_ref: string;
      check_id: string | null;
      state: string;
      requester: string;
      expires_at: string | null;
    }> = await this.db(TABLES.accessRequests)
      .where({ campaign_id: c.id, kind: 'exemption' })
      .orderBy('created_at', 'desc')
      .limit(500)
      .select(
        'id',
        'entity_ref',
        'check_id',
        'state',
        'requester',
        'expires_at',
      );
    return rows.map(r => ({
      requestId: r.id,
      entityRef: r.entity_ref,
      checkId: r.check_id ?? '',
      state: r.state,
      requester: r.requester,
      ...(r.expires_at ? { expiresAt: r.expires_at } : {}),
    }));
  }

  /**
   * Every service's scope state over time, oldest first: its scope history
   * and, for a service with none (stored before it was kept), its posture
   * row and facets now. A null state: it left the catalog.
   */
  async #scopeTimeline(): Promise<
    Array<{ ref: string; at: string; state: ScopeState | null }>
  > {
    // In time order: a later save may carry an earlier time (a replay, a test).
    const rows: Array<Omit<ScopeHistoryRow, 'id'>> = await this.db(
      TABLES.scopeHistory,
    )
      .orderBy('at', 'asc')
      .orderBy('id', 'asc')
      .select('entity_ref', 'at', 'scope');
    const timeline = rows.map(r => ({
      ref: r.entity_ref,
      at: r.at,
      state: r.scope === null ? null : (JSON.parse(r.scope) as ScopeState),
    }));
    const known = new Set(timeline.map(t => t.ref));
    const postures: Array<
      Pick<PostureRow, 'entity_ref' | 'owner' | 'system' | 'lifecycle'>
    > = await this.db(TABLES.posture).select(
      'entity_ref',
      'owner',
      'system',
      'lifecycle',
    );
    const unknown = postures.filter(p => !known.has(p.entity_ref));
    if (unknown.length) {
      const facets: PostureFacetRow[] = await this.db(
        TABLES.postureFacets,
      ).select('entity_ref', 'facet', 'value');
      const byRef = new Map<string, PostureFacetRow[]>();
      for (const f of facets) {
        const list = byRef.get(f.entity_ref) ?? [];
        list.push(f);
        byRef.set(f.entity_ref, list);
      }
      for (const p of unknown) {
        const own = byRef.get(p.entity_ref) ?? [];
        const values = (facet: PostureFacet) =>
          own.filter(f => f.facet === facet).map(f => f.value);
        timeline.unshift({
          ref: p.entity_ref,
          at: '',
          state: {
            owner: p.owner,
            system: p.system,
            lifecycle: p.lifecycle,
            tags: values('tag'),
            namespaces: values('namespace'),
            clusters: values('cluster'),
          },
        });
      }
    }
    return timeline;
  }

  /**
   * Services done at the end of each day, from `from` to `to`, replayed from
   * the check history (each result's first status and every change are
   * recorded), the score history and the scope history: each day counts the
   * services in the campaign's scope that day (a service's earliest known
   * scope stands for its days before). Also the services done on some day
   * since the start that are not done at the end. Only the target checks'
   * events and the score points of services ever in scope are used.
   */
  async burndown(
    c: Campaign,
    range: { from: number; to: number },
  ): Promise<{
    points: Array<{ date: string; services: number; done: number }>;
    regressed: Array<{ entityRef: string; owner?: string; metOn: string }>;
  }> {
    const rule = this.#gradeRule(c);
    const endIso = new Date(range.to).toISOString();
    const timeline = await this.#scopeTimeline();
    // Each service's scope state now: its earliest known, until its changes apply.
    const stateOf = new Map<string, ScopeState | null>();
    const ever = new Set<string>();
    for (const t of timeline) {
      if (!stateOf.has(t.ref)) stateOf.set(t.ref, t.state);
      if (t.state && t.at <= endIso && scopeCovers(c.scope, t.state)) {
        ever.add(t.ref);
      }
    }
    // A service whose earliest state is after the range still stands for its past.
    for (const [ref, state] of stateOf) {
      if (state && scopeCovers(c.scope, state)) ever.add(ref);
    }
    const scopeEvents = timeline.filter(t => t.at !== '' && ever.has(t.ref));
    const checkEvents: Array<{
      entity_ref: string;
      result_key: string;
      to_status: string;
      at: string;
    }> = c.target.checkIds.length
      ? (
          await this.db(TABLES.checkHistory)
            .whereIn('check_id', c.target.checkIds)
            .where('at', '<=', endIso)
            .orderBy('at', 'asc')
            .orderBy('id', 'asc')
            .select('entity_ref', 'result_key', 'to_status', 'at')
        ).filter((e: { entity_ref: string }) => ever.has(e.entity_ref))
      : [];
    // Every score point of those services: when each first had a posture, and its grades.
    const scoreEvents: Array<{
      id: number | string;
      entity_ref: string;
      at: string;
      grade: Grade | null;
      domain_grades: string;
    }> = [];
    for (const part of chunks([...ever], 500)) {
      scoreEvents.push(
        ...(await this.db(TABLES.postureHistory)
          .whereIn('entity_ref', part)
          .where('at', '<=', endIso)
          .select('id', 'entity_ref', 'at', 'grade', 'domain_grades')),
      );
    }
    scoreEvents.sort(
      (a, b) => compareStrings(a.at, b.at) || Number(a.id) - Number(b.id),
    );

    const failing = new Map<string, Set<string>>(); // entity -> failing result keys
    const gradeOk = new Map<string, boolean>(); // entity -> meets the grade (exists once seen)
    const metOn = new Map<string, string>();
    const points: Array<{ date: string; services: number; done: number }> = [];
    const start = Date.parse(c.startsAt);
    let ci = 0;
    let si = 0;
    let ti = 0;
    const covered = (ref: string) => {
      const state = stateOf.get(ref);
      return Boolean(state && scopeCovers(c.scope, state));
    };
    const isDone = (ref: string) =>
      gradeOk.get(ref) === true && (failing.get(ref)?.size ?? 0) === 0;
    for (let day = range.from; day <= range.to; day += DAY_MS) {
      const dayEnd = new Date(
        Math.min(day + DAY_MS - 1, range.to),
      ).toISOString();
      for (; si < scoreEvents.length && scoreEvents[si].at <= dayEnd; si++) {
        const e = scoreEvents[si];
        let grade = e.grade;
        if (c.target.domain) {
          const domains = JSON.parse(e.domain_grades || '{}');
          grade = domains[c.target.domain]?.grade ?? null;
        }
        gradeOk.set(
          e.entity_ref,
          rule ? grade !== null && rule.grades.includes(grade) : true,
        );
      }
      for (; ti < scopeEvents.length && scopeEvents[ti].at <= dayEnd; ti++) {
        stateOf.set(scopeEvents[ti].ref, scopeEvents[ti].state);
      }
      for (; ci < checkEvents.length && checkEvents[ci].at <= dayEnd; ci++) {
        const e = checkEvents[ci];
        const set = failing.get(e.entity_ref) ?? new Set<string>();
        if (e.to_status === 'fail') set.add(e.result_key);
        else set.delete(e.result_key);
        failing.set(e.entity_ref, set);
      }
      let services = 0;
      let done = 0;
      for (const ref of ever) {
        if (!covered(ref)) continue; // out of scope that day
        if (!gradeOk.has(ref)) continue; // no posture yet that day
        services++;
        if (isDone(ref)) {
          done++;
          if (day + DAY_MS > start && !metOn.has(ref)) {
            metOn.set(ref, dayEnd.slice(0, 10));
          }
        }
      }
      points.push({ date: dayEnd.slice(0, 10), services, done });
    }
    const regressed = [...metOn]
      .filter(([ref]) => covered(ref) && !isDone(ref))
      .map(([ref, on]) => {
        const owner = stateOf.get(ref)?.owner;
        return { entityRef: ref, ...(owner ? { owner } : {}), metOn: on };
      })
      .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
    return { points, regressed };
  }

  /**
   * The active campaigns whose scope covers an entity: its posture row, its
   * facets and the active campaigns, three queries.
   */
  async activeFor(entityRef: string): Promise<Campaign[]> {
    const row: Pick<PostureRow, 'owner' | 'system' | 'lifecycle'> | undefined =
      await this.db(TABLES.posture)
        .where('entity_ref', entityRef)
        .first('owner', 'system', 'lifecycle');
    if (!row) return [];
    const facets: Array<Pick<PostureFacetRow, 'facet' | 'value'>> =
      await this.db(TABLES.postureFacets)
        .where('entity_ref', entityRef)
        .select('facet', 'value');
    const values = (facet: PostureFacet) =>
      facets.filter(f => f.facet === facet).map(f => f.value);
    const state: ScopeState = {
      owner: row.owner,
      system: row.system,
      lifecycle: row.lifecycle,
      tags: values('tag'),
      namespaces: values('namespace'),
      clusters: values('cluster'),
    };
    return (await this.list(['active'])).filter(c =>
      scopeCovers(c.scope, state),
    );
  }
}
