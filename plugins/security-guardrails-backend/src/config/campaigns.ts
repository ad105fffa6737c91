/*
 * `securityGuardrails.campaigns`: when owning teams hear about campaigns.
 */
import { Config } from '@backstage/config';
import { HumanDuration } from '@backstage/types';
import { readDuration } from './duration';

export interface CampaignsConfig {
  /** Days before a deadline that teams not done yet are reminded (default 7). */
  reminderDays: number;
  /** How often due nudges are sent (default every 15 minutes). */
  nudgeFrequency: HumanDuration;
}

export function readCampaignsConfig(config: Config): CampaignsConfig {
  const root = config.getOptionalConfig('securityGuardrails.campaigns');
  const reminderDays = root?.getOptionalNumber('reminderDays') ?? 7;
  if (
    !Number.isInteger(reminderDays) ||
    reminderDays < 0 ||
    reminderDays > 90
  ) {
    throw new Error(
      'securityGuardrails.campaigns.reminderDays must be a whole number of days from 0 to 90',
    );
  }
  const nudgeFrequency: HumanDuration = root?.has('nudgeFrequency')
    ? readDuration(root, 'nudgeFrequency', 'securityGuardrails.campaigns')
    : { minutes: 15 };
  return { reminderDays, nudgeFrequency };
}
