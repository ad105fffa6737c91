/*
 * Everything under `securityGuardrails`, read once at start into one typed
 * result: `posture.ts` (schedule, history, checks, config exemptions),
 * `access.ts` (roles, approvals, limits, subjects), `campaigns.ts`
 * (reminders) and `clusters.ts` (the
 * clusters, including those of the Backstage Kubernetes plugin). A wrong
 * value fails start-up with a message naming its key.
 */
import { Config } from '@backstage/config';
import { AccessConfig, readAccessConfig } from './access';
import {
  ClusterConfig,
  ClusterConfigWarning,
  readClusterConfigs,
} from './clusters';
import { PostureConfig, readPostureConfig } from './posture';
import { CampaignsConfig, readCampaignsConfig } from './campaigns';

export * from './access';
export * from './campaigns';
export * from './clusters';
export * from './posture';

export interface GuardrailsConfig {
  posture: PostureConfig;
  access: AccessConfig;
  campaigns: CampaignsConfig;
  clusters: ClusterConfig[];
  /** What was configured but is not used, for the log at start. */
  warnings: ClusterConfigWarning[];
}

export function readGuardrailsConfig(config: Config): GuardrailsConfig {
  const { clusters, warnings } = readClusterConfigs(config);
  return {
    posture: readPostureConfig(config),
    access: readAccessConfig(config),
    campaigns: readCampaignsConfig(config),
    clusters,
    warnings,
  };
}
