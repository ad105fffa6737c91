/*
 * Nudges, not gates: each owning team of a campaign's services hears, through
 * the notifications backend, when the campaign starts, a few days before its
 * deadline, at the deadline if it is not done, and when it has done it.
 * Level-triggered (each run sends what is due and was not sent) and sent
 * once: a claim per (campaign, milestone, team) in the database is taken
 * before sending, so neither a restart nor a second replica sends it again.
 */
import { createHash } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import { Campaign } from '@internal/backstage-plugin-security-guardrails-common';
import { NotificationSender } from '../access/notifier';
import { DatabaseCampaignStore } from './DatabaseCampaignStore';

const DAY_MS = 86_400_000;

export type Milestone = 'started' | 'reminder' | 'deadline' | 'completed';

interface Team {
  owner: string;
  services: number;
  done: number;
}

/** What is due for a team of a campaign now, by the campaign's dates and the team's progress. */
export function dueMilestones(
  c: Campaign,
  team: Team,
  now: number,
  reminderDays: number,
): Milestone[] {
  const start = Date.parse(c.startsAt);
  const deadline = Date.parse(c.deadline);
  const finished = team.services > 0 && team.done === team.services;
  const due: Milestone[] = [];
  if (now >= start && now < deadline) due.push('started');
  if (!finished && now >= deadline - reminderDays * DAY_MS && now < deadline) {
    due.push('reminder');
  }
  if (!finished && now >= deadline) due.push('deadline');
  if (finished && now >= start) due.push('completed');
  return due;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

function message(
  c: Campaign,
  team: Team,
  m: Milestone,
): { title: string; description: string; severity: 'normal' | 'high' } {
  const left = team.services - team.done;
  const todo = `${left} of your ${team.services} service${
    team.services === 1 ? '' : 's'
  }`;
  switch (m) {
    case 'started':
      return {
        title: `Campaign started: ${c.name}`,
        description: `${todo} still to do by ${day(c.deadline)}.`,
        severity: 'normal',
      };
    case 'reminder':
      return {
        title: `Due ${day(c.deadline)}: ${c.name}`,
        description: `${todo} still to do.`,
        severity: 'high',
      };
    case 'deadline':
      return {
        title: `Deadline passed: ${c.name}`,
        description: `${todo} still to do; the campaign was due ${day(
          c.deadline,
        )}.`,
        severity: 'high',
      };
    default:
      return {
        title: `Done: ${c.name}`,
        description: `All ${team.services} of your services meet it. Thank you.`,
        severity: 'normal',
      };
  }
}

export class CampaignNudges {
  constructor(
    private readonly options: {
      store: DatabaseCampaignStore;
      /** Takes a key once for the whole deployment (claimOrgState). */
      claim: (key: string, value: unknown) => Promise<boolean>;
      sender?: NotificationSender;
      logger: LoggerService;
      reminderDays: number;
      now?: () => Date;
    },
  ) {}

  /** Sends what is due; how many notifications went out. */
  async run(): Promise<number> {
    const { store, sender } = this.options;
    if (!sender) return 0;
    const now = (this.options.now?.() ?? new Date()).getTime();
    let sent = 0;
    for (const c of await store.list(['active'])) {
      const progress = await store.progress(c, { limit: 0 });
      for (const team of progress.byOwner) {
        if (!/^(group|user):/.test(team.owner)) continue;
        for (const m of dueMilestones(
          c,
          team,
          now,
          this.options.reminderDays,
        )) {
          const key = `nudge:${createHash('sha256')
            .update(`${c.id}|${m}|${team.owner}`)
            .digest('hex')
            .slice(0, 40)}`;
          if (
            !(await this.options.claim(key, {
              campaign: c.id,
              m,
              team: team.owner,
            }))
          )
            continue;
          const text = message(c, team, m);
          try {
            await sender.send({
              recipients: { type: 'entity', entityRef: team.owner },
              payload: {
                ...text,
                link: '/security/campaigns',
                topic: 'security-guardrails',
                scope: `campaign:${c.id}:${m}`,
              },
            });
            sent++;
          } catch (e) {
            // Claimed and not sent: logged, never retried into a duplicate.
            this.options.logger.warn(
              `Could not notify ${team.owner} (${c.name}, ${m}): ${
                (e as Error).message
              }`,
            );
          }
        }
      }
    }
    return sent;
  }
}
