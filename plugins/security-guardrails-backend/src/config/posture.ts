/*
 * Reads `securityGuardrails` config into typed options, failing at startup
 * with a message naming the key when something is wrong.
 */
import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { HumanDuration } from '@backstage/types';
import { CHECK_ID_PATTERN } from '@internal/backstage-plugin-security-guardrails-common';
import { CheckSettings, ExemptionRule, parseExpiry } from '../engine';
import { DEFAULT_ENTITY_KINDS } from '../catalog/CatalogEntities';
import { checkOneDuration, readDuration } from './duration';

function readSchedule(config: Config): SchedulerServiceTaskScheduleDefinition {
  for (const key of ['frequency', 'timeout', 'initialDelay']) {
    checkOneDuration(config, key, 'securityGuardrails.posture.schedule');
  }
  return readSchedulerServiceTaskScheduleDefinitionFromConfig(config);
}

export interface PostureConfig {
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** How often the catalog is compared with what was evaluated. */
  catalogSyncFrequency: HumanDuration;
  historyRetentionDays: number;
  /** Days of demo history seeded before an entity's first posture (0: none; never in production). */
  demoHistoryDays: number;
  /** Seed the two demo campaigns once (never in production). */
  demoCampaigns: boolean;
  refreshIntervalMs: number;
  refreshesPerCallerPerMinute: number;
  entityKinds: string[];
  /** Stored answers kept in memory per replica (AnswerCache); maxBytes 0 when off. */
  answerCache: { maxBytes: number; maxStalenessMs: number };
  settings: CheckSettings;
  disabledChecks: string[];
  annotationExemptions: boolean;
  exemptions: ExemptionRule[];
}

export function readPostureConfig(config: Config): PostureConfig {
  const root = config.getOptionalConfig('securityGuardrails');
  const checks = root?.getOptionalConfig('checks');
  const posture = root?.getOptionalConfig('posture');

  const schedule = posture?.has('schedule')
    ? readSchedule(posture.getConfig('schedule'))
    : {
        frequency: { minutes: 10 },
        timeout: { minutes: 5 },
        initialDelay: { seconds: 5 },
      };

  const catalogSyncFrequency: HumanDuration = posture?.has('catalogSync')
    ? readDuration(
        posture.getConfig('catalogSync'),
        'frequency',
        'securityGuardrails.posture.catalogSync',
      )
    : { seconds: 5 };

  const retention = posture?.getOptionalNumber('historyRetentionDays') ?? 180;
  if (!Number.isInteger(retention) || retention < 1) {
    throw new Error(
      'securityGuardrails.posture.historyRetentionDays must be a whole number of days, at least 1',
    );
  }
  const demoHistoryDays = root?.getOptionalNumber('demo.seedHistoryDays') ?? 0;
  if (
    !Number.isInteger(demoHistoryDays) ||
    demoHistoryDays < 0 ||
    demoHistoryDays > Math.min(90, retention)
  ) {
    throw new Error(
      `securityGuardrails.demo.seedHistoryDays must be a whole number of days from 0 to ${Math.min(
        90,
        retention,
      )} (at most the history kept, posture.historyRetentionDays)`,
    );
  }
  const refresh = posture?.getOptionalNumber('refreshIntervalSeconds') ?? 30;
  if (!(refresh >= 0)) {
    throw new Error(
      'securityGuardrails.posture.refreshIntervalSeconds must be 0 or more',
    );
  }

  const perCaller =
    posture?.getOptionalNumber('refreshesPerCallerPerMinute') ?? 10;
  if (!Number.isInteger(perCaller) || perCaller < 1) {
    throw new Error(
      'securityGuardrails.posture.refreshesPerCallerPerMinute must be a whole number, at least 1',
    );
  }

  const cacheMb = posture?.getOptionalNumber('answerCache.maxMegabytes') ?? 64;
  if (!(cacheMb >= 0 && cacheMb <= 4096)) {
    throw new Error(
      'securityGuardrails.posture.answerCache.maxMegabytes must be a number from 0 to 4096',
    );
  }
  const stalenessMs =
    posture?.getOptionalNumber('answerCache.maxStalenessMs') ?? 1000;
  if (!(stalenessMs >= 0 && stalenessMs <= 60_000)) {
    throw new Error(
      'securityGuardrails.posture.answerCache.maxStalenessMs must be a number of milliseconds from 0 to 60000',
    );
  }

  const disabled = checks?.getOptionalStringArray('disabled') ?? [];
  for (const id of disabled) {
    if (!CHECK_ID_PATTERN.test(id)) {
      throw new Error(
        `securityGuardrails.checks.disabled: '${id}' is not a check id`,
      );
    }
  }

  const exemptions: ExemptionRule[] = (
    root?.getOptionalConfigArray('exemptions') ?? []
  ).map((e, i) => {
    const where = `securityGuardrails.exemptions[${i}]`;
    const check = e.getString('check');
    if (!CHECK_ID_PATTERN.test(check))
      throw new Error(`${where}.check: '${check}' is not a check id`);
    const expires = e.getString('expires');
    if (!parseExpiry(expires)) {
      throw new Error(
        `${where}.expires: '${expires}' must be an RFC 3339 time or a YYYY-MM-DD date`,
      );
    }
    const reason = e.getString('reason').trim();
    if (!reason) throw new Error(`${where}.reason must not be empty`);
    return {
      checkId: check,
      entityRef: e.getOptionalString('entity'),
      cluster: e.getOptionalString('cluster'),
      namespace: e.getOptionalString('namespace'),
      kind: e.getOptionalString('kind'),
      name: e.getOptionalString('name'),
      reason,
      expiresAt: expires,
      source: 'config',
    };
  });

  return {
    schedule,
    catalogSyncFrequency,
    historyRetentionDays: retention,
    demoHistoryDays,
    demoCampaigns: root?.getOptionalBoolean('demo.seedCampaigns') ?? false,
    refreshIntervalMs: refresh * 1000,
    refreshesPerCallerPerMinute: perCaller,
    entityKinds:
      posture?.getOptionalStringArray('entityKinds') ?? DEFAULT_ENTITY_KINDS,
    answerCache: {
      maxBytes: Math.floor(cacheMb * 1024 * 1024),
      maxStalenessMs: stalenessMs,
    },
    settings: {
      allowedRegistries: checks?.getOptionalStringArray('allowedRegistries'),
      requireCpuLimits: checks?.getOptionalBoolean('requireCpuLimits'),
      kubernetesVersion: checks?.getOptionalString('kubernetesVersion'),
      oncallAnnotations: checks?.getOptionalStringArray('oncallAnnotations'),
      expiryAnnotations: checks?.getOptionalStringArray('expiryAnnotations'),
      powerfulRoles: checks?.getOptionalStringArray('powerfulRoles'),
    },
    disabledChecks: disabled,
    annotationExemptions:
      checks?.getOptionalBoolean('annotationExemptions') ?? true,
    exemptions,
  };
}
