/*
 * The campaign lifecycle: create (a draft, or active at once), edit, start
 * and end; every change of an active campaign goes to the Backstage
 * auditor. States move draft → active → ended (or draft → ended, dropped);
 * an ended campaign is kept as it ended. settleDeadlines records what each
 * deadline decides: met ends the campaign, missed keeps it active and
 * overdue. Progress and an entity's campaigns come from the store's queries
 * over the postures.
 */
import { randomUUID } from 'node:crypto';
import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  Campaign,
  CampaignBurndown,
  CampaignProgress,
  EntityCampaigns,
  OwnerCampaigns,
} from '@internal/backstage-plugin-security-guardrails-common';
import { SYSTEM_ACTOR } from '../access/actors';
import { DatabaseCampaignStore } from './DatabaseCampaignStore';
import { ProgressCounts } from './ProgressCounts';

const DAY_MS = 86_400_000;

type CampaignInput = Pick<
  Campaign,
  | 'name'
  | 'description'
  | 'owner'
  | 'startsAt'
  | 'deadline'
  | 'target'
  | 'scope'
> & { state: 'draft' | 'active' };

type CampaignChanges = Partial<Omit<CampaignInput, 'state'>> & {
  state?: Campaign['state'];
};

const MOVES: Record<Campaign['state'], Array<Campaign['state']>> = {
  draft: ['draft', 'active', 'ended'],
  active: ['active', 'ended'],
  ended: [],
};

export class CampaignService {
  constructor(
    private readonly options: {
      store: DatabaseCampaignStore;
      knownChecks: ReadonlySet<string>;
      auditor?: AuditorService;
      logger: LoggerService;
      now?: () => Date;
      /** Whether a full evaluation has been stored (deadlines wait for one). */
      evaluated?: () => Promise<boolean>;
    },
  ) {
    this.#counts = new ProgressCounts(options.store, options.logger);
  }

  readonly #counts: ProgressCounts;

  #now(): Date {
    return this.options.now?.() ?? new Date();
  }

  #checkTarget(target: Campaign['target']) {
    const unknown = target.checkIds.filter(
      id => !this.options.knownChecks.has(id),
    );
    if (unknown.length) {
      throw new InputError(
        `body.target.checkIds: no check ${unknown.join(
          ', ',
        )} runs here (GET /checks lists them)`,
      );
    }
  }

  #checkDates(c: Pick<Campaign, 'startsAt' | 'deadline'>) {
    if (Date.parse(c.deadline) <= Date.parse(c.startsAt)) {
      throw new InputError(
        'body.deadline: the deadline must be after the start',
      );
    }
  }

  async #audit(action: string, campaign: Campaign, actor: string, meta = {}) {
    if (!this.options.auditor) return;
    try {
      const event = await this.options.auditor.createEvent({
        eventId: 'campaign',
        severityLevel: 'medium',
        meta: {
          action,
          campaignId: campaign.id,
          name: campaign.name,
          state: campaign.state,
          actor,
          ...meta,
        },
      });
      await event.success();
    } catch (e) {
      this.options.logger.warn(
        `Could not audit campaign ${campaign.id} (${action}): ${
          (e as Error).message
        }`,
      );
    }
  }

  async create(input: CampaignInput, actor: string): Promise<Campaign> {
    this.#checkTarget(input.target);
    this.#checkDates(input);
    const at = this.#now().toISOString();
    const campaign: Campaign = {
      id: randomUUID(),
      ...input,
      createdBy: actor,
      createdAt: at,
      updatedBy: actor,
      updatedAt: at,
    };
    await this.options.store.create(campaign);
    await this.#audit('created', campaign, actor);
    this.#counts.countSoon(campaign);
    return campaign;
  }

  async get(id: string): Promise<Campaign> {
    const campaign = await this.options.store.get(id);
    if (!campaign) throw new NotFoundError(`No campaign ${id}`);
    return campaign;
  }

  list(): Promise<Campaign[]> {
    return this.options.store.list();
  }

  async update(
    id: string,
    changes: CampaignChanges,
    actor: string,
  ): Promise<Campaign> {
    const current = await this.get(id);
    const state = changes.state ?? current.state;
    if (!MOVES[current.state].includes(state)) {
      throw new ConflictError(
        current.state === 'ended'
          ? `Campaign ${id} has ended; an ended campaign is kept as it ended`
          : `Campaign ${id} is ${current.state}; it cannot go back to ${state}`,
      );
    }
    if (changes.target) this.#checkTarget(changes.target);
    const at = this.#now();
    let next: Campaign = {
      ...current,
      ...changes,
      state,
      updatedBy: actor,
      updatedAt: at.toISOString(),
    };
    this.#checkDates(next);
    if (
      state === 'active' &&
      next.outcome &&
      Date.parse(next.deadline) > at.getTime()
    ) {
      // A deadline moved past now: the new deadline decides the outcome.
      delete next.outcome;
    }
    if (state === 'ended' && current.state !== 'ended') {
      next = { ...next, endedAt: at.toISOString() };
      if (current.state === 'active' && !next.outcome) {
        // Met or missed as the services stood at the deadline if it has
        // passed (and was not settled yet), otherwise as they stand now.
        const deadline = Date.parse(next.deadline);
        let met =
          deadline <= at.getTime()
            ? await this.#metAt(next, deadline)
            : undefined;
        if (met === undefined) {
          const p = await this.options.store.progress(next, { limit: 0 });
          met = p.done === p.services;
        }
        next.outcome = met ? 'met' : 'missed';
      }
    }
    if (!(await this.options.store.update(next, current.updatedAt))) {
      throw new ConflictError(
        `Campaign ${id} was changed by someone else meanwhile; reload it and try again`,
      );
    }
    if (current.state === 'active' || state !== current.state) {
      await this.#audit(
        state !== current.state ? state : 'edited',
        next,
        actor,
        { changed: Object.keys(changes).sort() },
      );
    }
    this.#counts.countSoon(next);
    return next;
  }

  /**
   * What deadlines decide, level-triggered (run with the nudges): an active
   * campaign past its deadline gets its outcome, met or missed as its
   * services stood at the deadline (replayed from the history, so a run late
   * after a restart decides the same). A met campaign ends there; a missed
   * one stays active and overdue, so owners still see what is left, until
   * every service in scope meets it or a lead ends it. Nothing is decided
   * before the first full evaluation is stored, nor for a campaign none of
   * whose services had a posture at its deadline (a lead ends it). Each
   * change is compare-and-set: of several replicas, one makes it. How many
   * changed.
   */
  async settleDeadlines(): Promise<number> {
    if (this.options.evaluated && !(await this.options.evaluated())) return 0;
    const at = this.#now();
    let changed = 0;
    for (const current of await this.options.store.list(['active'])) {
      const deadline = Date.parse(current.deadline);
      if (deadline > at.getTime()) continue;
      let next: Campaign | undefined;
      if (!current.outcome) {
        const met = await this.#metAt(current, deadline);
        if (met === undefined) continue;
        next = met
          ? {
              ...current,
              outcome: 'met',
              state: 'ended',
              endedAt: at.toISOString(),
            }
          : { ...current, outcome: 'missed' };
      } else {
        const p = await this.options.store.progress(current, { limit: 0 });
        if (p.services > 0 && p.done === p.services) {
          next = { ...current, state: 'ended', endedAt: at.toISOString() };
        }
      }
      if (!next) continue;
      next = { ...next, updatedBy: SYSTEM_ACTOR, updatedAt: at.toISOString() };
      if (!(await this.options.store.update(next, current.updatedAt))) continue;
      changed++;
      await this.#audit(
        next.state === 'ended' ? 'ended' : 'deadline-passed',
        next,
        SYSTEM_ACTOR,
        { outcome: next.outcome },
      );
    }
    return changed;
  }

  /**
   * Whether every service in scope met the campaign at a time (the end of
   * its burn-down there); undefined when none had a posture yet then, as on
   * a first start before the first evaluation: nothing to decide on.
   */
  async #metAt(c: Campaign, time: number): Promise<boolean | undefined> {
    const { points } = await this.options.store.burndown(c, {
      from: time - (time % DAY_MS),
      to: time,
    });
    const last = points[points.length - 1];
    if (!last?.services) return undefined;
    return last.done === last.services;
  }

  /**
   * Days to the deadline, rounded as the portal shows a time ("in 28
   * days"), so the two never disagree: 0 when less than half a day is left.
   * Past the deadline, the days overdue as a negative number, at least 1: a
   * deadline missed an hour ago is overdue, not due today.
   */
  #daysLeft(c: Campaign): number {
    const days = (Date.parse(c.deadline) - this.#now().getTime()) / DAY_MS;
    return days >= 0 ? Math.round(days) : -Math.max(1, Math.round(-days));
  }

  /** Counts every active campaign ahead of the requests (see ProgressCounts.warm). */
  warm(): Promise<void> {
    return this.#counts.warm();
  }

  async progress(id: string): Promise<CampaignProgress> {
    const campaign = await this.get(id);
    const [p, exemptions] = await Promise.all([
      this.#counts.get(campaign),
      this.options.store.exemptions(campaign),
    ]);
    return { campaign, daysLeft: this.#daysLeft(campaign), ...p, exemptions };
  }

  /** Days shown before a campaign's start, so its baseline is visible. */
  static readonly BASELINE_DAYS = 14;

  async burndown(id: string): Promise<CampaignBurndown> {
    const campaign = await this.get(id);
    const now = this.#now().getTime();
    const dayOf = (t: number) => t - (t % DAY_MS);
    const end = Math.min(
      now,
      campaign.endedAt
        ? Date.parse(campaign.endedAt)
        : Date.parse(campaign.deadline),
    );
    // At most a year of days, ending at the deadline, its end, or today.
    const from = Math.max(
      dayOf(Date.parse(campaign.startsAt)) -
        CampaignService.BASELINE_DAYS * DAY_MS,
      dayOf(end) - 365 * DAY_MS,
    );
    const b = await this.options.store.burndown(campaign, {
      from: Math.min(from, dayOf(end)),
      to: end,
    });
    return { campaignId: id, ...b };
  }

  /** The active campaigns over an owner's services: its part of each and what it has left. */
  async forOwner(owner: string): Promise<OwnerCampaigns> {
    const items: OwnerCampaigns['items'] = [];
    for (const campaign of await this.options.store.list(['active'])) {
      const { owners } = campaign.scope;
      if (owners.length && !owners.includes(owner)) continue;
      const p = await this.#counts.get(campaign, owner);
      if (!p.services) continue;
      items.push({
        campaign,
        daysLeft: this.#daysLeft(campaign),
        services: p.services,
        done: p.done,
        remaining: p.remaining,
      });
    }
    return { owner, items };
  }

  async forEntity(entityRef: string): Promise<EntityCampaigns> {
    const campaigns = await this.options.store.activeFor(entityRef);
    const items = [];
    for (const campaign of campaigns) {
      const p = await this.options.store.progress(campaign, { entityRef });
      const status = p.remaining[0];
      if (status) {
        items.push({ campaign, daysLeft: this.#daysLeft(campaign), status });
      }
    }
    return { entityRef, items };
  }
}
