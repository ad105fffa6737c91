/*
 * Campaigns in the plugin's database, and their progress read from the
 * posture tables in the database: the services in scope are posture rows
 * filtered by owner, system and lifecycle, and by tags, namespaces and
 * clusters through the facet index; a service is done when none of
 * the target checks is in its failing-check index (an exempt result is not
 * failing) and its grade reaches the target's. Only light columns are read,
 * never the stored results. The scope and grade rules are in scope.ts, the
 * burn-down's replay of the history in burndown.ts.
 */
import {
  ANY_CAMPAIGN_SCOPE,
  Campaign,
  CampaignExemption,
  CampaignService,
  CampaignState,
  Grade,
} from '@internal/backstage-plugin-security-guardrails-common';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { connect } from '../database/migrate';
import { readPostureVersion } from '../posture/operations/postureVersion';
import {
  CampaignRow,
  PostureFacetRow,
  PostureRow,
  scopeStateFrom,
  TABLES,
} from '../database/tables';
import { replayBurndown } from './burndown';
import { gradeRule, inScopeQuery, scopeCovers } from './scope';

const PROGRESS_LIST_LIMIT = 500;

/** A posture row as progress reads it: light columns only. */
interface RemainingRow {
  entity_ref: string;
  owner: string | null;
  grade: Grade | null;
  /** The grade the target asks of: overall, or the domain's. */
  target_grade: Grade | null;
}

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
    const rule = gradeRule(c);
    // An owner's part: the scope's services that owner owns.
    const scoped = (q: Knex.QueryBuilder) => {
      inScopeQuery(this.db, c, q);
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
    const rule = gradeRule(c);
    const rows: RemainingRow[] = await inScopeQuery(
      this.db,
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
    const rule = gradeRule(c);
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
   * Services done at the end of each day, from `from` to `to` (see
   * replayBurndown), and those that met the campaign and slipped back.
   */
  burndown(c: Campaign, range: { from: number; to: number }) {
    return replayBurndown(this.db, c, range);
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
    const state = scopeStateFrom(row, facets);
    return (await this.list(['active'])).filter(c =>
      scopeCovers(c.scope, state),
    );
  }
}
