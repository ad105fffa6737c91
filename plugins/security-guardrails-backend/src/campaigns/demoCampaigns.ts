/*
 * A demo seed, never for production (`securityGuardrails.demo.seedCampaigns`):
 * two campaigns that tell the story on a fresh demo. "No root in
 * production" runs for four more weeks and is partly done; "Every service
 * has an owner and a runbook" was due two days ago and is almost done, with
 * the services still lacking a runbook overdue. Created once, by one
 * replica (a claim in the database).
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { ANY_CAMPAIGN_SCOPE } from '@internal/backstage-plugin-security-guardrails-common';
import { CampaignService } from './CampaignService';

const DAY_MS = 86_400_000;

export async function seedDemoCampaigns(options: {
  campaigns: CampaignService;
  claim: (key: string) => Promise<boolean>;
  logger: LoggerService;
  now?: Date;
}): Promise<void> {
  const now = (options.now ?? new Date()).getTime();
  if (!(await options.claim('demo-campaigns'))) return;
  const at = (days: number) => new Date(now + days * DAY_MS).toISOString();
  const actor = 'system:security-guardrails';
  try {
    await options.campaigns.create(
      {
        name: 'No root in production',
        description:
          'A container that runs as root, or may gain privileges, turns a bug into a node compromise. ' +
          'Run as a non-root user and set `allowPrivilegeEscalation: false` in every production workload. ' +
          'See the [Pod Security Standards](https://kubernetes.io/docs/concepts/security/pod-security-standards/).',
        owner: 'group:default/security-leads',
        startsAt: at(-7),
        deadline: at(28),
        target: { checkIds: ['sc.non-root', 'sc.priv-escalation'] },
        scope: { ...ANY_CAMPAIGN_SCOPE, lifecycles: ['production'] },
        state: 'active',
      },
      actor,
    );
    await options.campaigns.create(
      {
        name: 'Every service has an owner and a runbook',
        description:
          'When something breaks at 3 a.m., the on-call engineer needs to know whose it is and what to do. ' +
          'Give every production service an owning team and a `runbook` link in its catalog entry.',
        owner: 'group:default/security-leads',
        startsAt: at(-30),
        deadline: at(-2),
        target: { checkIds: ['own.owner', 'own.runbook'] },
        scope: { ...ANY_CAMPAIGN_SCOPE, lifecycles: ['production'] },
        state: 'active',
      },
      actor,
    );
    options.logger.info(
      'Seeded the two demo campaigns (securityGuardrails.demo.seedCampaigns; a demo seed)',
    );
  } catch (e) {
    options.logger.warn(
      `Could not seed the demo campaigns: ${(e as Error).message}`,
    );
  }
}
