/*
 * Campaigns: a target security leads set with a deadline (checks that must
 * pass, or be exempt, and/or a minimum grade), over a scope of services,
 * with progress read from the postures the backend keeps.
 */
import type { Domain } from './checks';
import type { Grade } from './scoring';

/** @public */
export const CAMPAIGN_STATES = ['draft', 'active', 'ended'] as const;

/** @public */
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/** What a service must reach: every listed check passing or exempt, and the grade. @public */
export interface CampaignTarget {
  checkIds: string[];
  /** At least this grade: overall, or in `domain` when given. */
  minGrade?: Grade;
  domain?: Domain;
}

/**
 * Which services a campaign is about: a service is in scope when it matches
 * every list that is not empty, and matches a list when it has any of its
 * values; empty lists mean any. @public
 */
export interface CampaignScope {
  owners: string[];
  systems: string[];
  lifecycles: string[];
  /** Catalog metadata.tags. */
  tags: string[];
  /** Kubernetes namespaces of the service's objects. */
  namespaces: string[];
  /** Clusters the service's objects run in, by their configured names. */
  clusters: string[];
}

/** A scope of every service: each list empty. @public */
export const ANY_CAMPAIGN_SCOPE: Readonly<CampaignScope> = Object.freeze({
  owners: [],
  systems: [],
  lifecycles: [],
  tags: [],
  namespaces: [],
  clusters: [],
});

/** @public */
export interface Campaign {
  id: string;
  name: string;
  /** Markdown: why it matters, links. */
  description: string;
  /** The security lead (user or group) who runs it. */
  owner: string;
  state: CampaignState;
  startsAt: string;
  deadline: string;
  target: CampaignTarget;
  scope: CampaignScope;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  /** When it ended, and whether every service in scope met it then. */
  endedAt?: string;
  outcome?: 'met' | 'missed';
}

/** @public */
export interface CampaignList {
  items: Campaign[];
}

/** A service in a campaign's scope and what it still lacks. @public */
export interface CampaignService {
  entityRef: string;
  owner?: string;
  grade: Grade | null;
  done: boolean;
  /** Target checks it still fails. */
  failingChecks: string[];
  /** Its grade is below the target's. */
  belowGrade: boolean;
}

/** @public */
export interface CampaignProgress {
  campaign: Campaign;
  services: number;
  done: number;
  /** Whole days until the deadline (negative once past). */
  daysLeft: number;
  byOwner: Array<{ owner: string; services: number; done: number }>;
  /** Services not done yet, most to do first (at most 500). */
  remaining: CampaignService[];
  /** Exemption requests that name this campaign, newest first (an approved one counts as done). */
  exemptions: CampaignExemption[];
}

/** @public */
export interface CampaignExemption {
  requestId: string;
  entityRef: string;
  checkId: string;
  state: string;
  requester: string;
  expiresAt?: string;
}

/**
 * A campaign over time, from the posture history: services done at the end
 * of each day from two weeks before its start (the baseline) to its deadline
 * or today, and the services that met it and no longer do.
 *
 * @public
 */
export interface CampaignBurndown {
  campaignId: string;
  points: Array<{ date: string; services: number; done: number }>;
  regressed: Array<{ entityRef: string; owner?: string; metOn: string }>;
}

/** The active campaigns that apply to one service and what is left for each. @public */
/** The active campaigns over a team's (or a person's) services, and the team's part of each. @public */
export interface OwnerCampaigns {
  owner: string;
  items: Array<{
    campaign: Campaign;
    daysLeft: number;
    /** The owner's services in scope, and how many are done. */
    services: number;
    done: number;
    /** The owner's services not done yet, most to do first (at most 50). */
    remaining: CampaignService[];
  }>;
}

/** @public */
export interface EntityCampaigns {
  entityRef: string;
  items: Array<{
    campaign: Campaign;
    daysLeft: number;
    status: CampaignService;
  }>;
}
