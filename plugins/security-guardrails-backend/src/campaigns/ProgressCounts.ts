/*
 * Campaign progress counts kept per campaign (and owner) for as long as
 * neither the campaign's target, its scope nor any stored posture changed:
 * a request then reads one row by key instead of counting the scope again,
 * and requests that miss together share one count. Counted ahead of the
 * requests: a campaign when it is created or changed, every active one when
 * postures are stored.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { Campaign } from '@internal/backstage-plugin-security-guardrails-common';
import { DatabaseCampaignStore } from './DatabaseCampaignStore';

/** The most services an owner's view lists as still to do. */
const OWNER_LIST_LIMIT = 50;

type CountedProgress = Awaited<ReturnType<DatabaseCampaignStore['progress']>>;

export class ProgressCounts {
  constructor(
    private readonly store: DatabaseCampaignStore,
    private readonly logger: LoggerService,
  ) {}

  /** By campaign id (and owner): what the count was made for, and the count. */
  readonly #counted = new Map<
    string,
    { key: string; progress: Promise<CountedProgress> }
  >();

  /** A campaign's progress (one owner's part with `owner`), counted now or kept. */
  async get(campaign: Campaign, owner?: string): Promise<CountedProgress> {
    // What the count depends on: the target, the scope and the postures.
    const key = JSON.stringify([
      campaign.target,
      campaign.scope,
      await this.store.postureVersion(),
    ]);
    const slot = owner ? `${campaign.id}|${owner}` : campaign.id;
    const cached = this.#counted.get(slot);
    if (cached?.key === key) return cached.progress;
    const progress = this.store.progress(
      campaign,
      owner ? { owner, limit: OWNER_LIST_LIMIT } : {},
    );
    this.#counted.delete(slot);
    // At most one entry per campaign (and owner); the oldest go past 2,000.
    if (this.#counted.size >= 2000) {
      this.#counted.delete(this.#counted.keys().next().value!);
    }
    this.#counted.set(slot, { key, progress });
    progress.catch(() => {
      if (this.#counted.get(slot)?.progress === progress) {
        this.#counted.delete(slot);
      }
    });
    return progress;
  }

  #warmedVersion?: string;
  #warming?: Promise<void>;

  /**
   * Counts every active campaign for the postures as stored now, ahead of
   * the requests (after a refresh or a catalog sync stored postures): one
   * run at a time, and nothing when the postures have not changed since the
   * last run. Never rejects: a failure is logged, and requests count then.
   */
  warm(): Promise<void> {
    this.#warming ??= (async () => {
      const version = await this.store.postureVersion();
      if (version === this.#warmedVersion) return;
      for (const c of await this.store.list(['active'])) {
        await this.get(c);
      }
      this.#warmedVersion = version;
    })()
      .catch(e =>
        this.logger.warn(
          `Could not count campaign progress ahead: ${(e as Error).message}`,
        ),
      )
      .finally(() => {
        this.#warming = undefined;
      });
    return this.#warming;
  }

  /** Counts a campaign just created or changed, in the background. */
  countSoon(c: Campaign) {
    if (c.state !== 'active') return;
    this.get(c).catch(e =>
      this.logger.warn(
        `Could not count the progress of campaign ${c.id}: ${
          (e as Error).message
        }`,
      ),
    );
  }
}
