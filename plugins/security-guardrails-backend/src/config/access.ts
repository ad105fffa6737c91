/*
 * `securityGuardrails.access`: what can be granted, by whom, for how long.
 */
import { Config } from '@backstage/config';
import { GrantableRole } from '@internal/backstage-plugin-security-guardrails-common';
import { Duration } from 'luxon';
import { readDuration, readDurationSeconds } from './duration';

export type ApproverSource = 'owners' | 'security-leads';

export interface AccessConfig {
  roles: GrantableRole[];
  securityLeadsGroup: string;
  maxActiveGrantsPerUser: number;
  pendingTimeoutSeconds: number;
  sweepFrequencySeconds: number;
  expiryWarningSeconds: number;
  exemptions: {
    maxDurationSeconds: number;
    approvalsRequired: number;
    approvers: ApproverSource[];
  };
  /** How a Backstage user becomes a Kubernetes RBAC subject. */
  subject: {
    kind: 'User';
    /** `email` (spec.profile.email), `name` (the entity name) or `annotation` (see `annotation`). */
    from: 'email' | 'name' | 'annotation';
    annotation?: string;
  };
  /** Attempts to apply a grant before it is marked failed. */
  maxApplyAttempts: number;
  /** Namespace owners from config, besides the label on Namespace objects. */
  namespaceOwners: Array<{ cluster: string; namespace: string; owner: string }>;
  /** System namespaces that may still be targets. */
  allowSystemNamespaces: string[];
}

/** The defaults when nothing is configured: view on request, edit with one approval, admin with two. */
export const DEFAULT_ROLES: GrantableRole[] = [
  {
    name: 'view',
    clusterRole: 'view',
    description: 'Read most objects in the namespace (not Secrets).',
    defaultDurationSeconds: 3600,
    maxDurationSeconds: 8 * 3600,
    approvalsRequired: 0,
    approvers: ['owners', 'security-leads'],
    requesterMustBeOwner: false,
    extensionNeedsApproval: false,
  },
  {
    name: 'edit',
    clusterRole: 'edit',
    description:
      'Change workloads, exec into pods, read Secrets: for debugging an incident.',
    defaultDurationSeconds: 3600,
    maxDurationSeconds: 4 * 3600,
    approvalsRequired: 1,
    approvers: ['owners', 'security-leads'],
    requesterMustBeOwner: true,
    extensionNeedsApproval: true,
  },
  {
    name: 'admin',
    clusterRole: 'admin',
    description: 'Everything in the namespace, including RBAC.',
    defaultDurationSeconds: 1800,
    maxDurationSeconds: 3600,
    approvalsRequired: 2,
    approvers: ['security-leads'],
    requesterMustBeOwner: true,
    extensionNeedsApproval: true,
  },
];

const ROLE_NAME = /^[a-z][a-z0-9-]{0,30}$/;
const CLUSTER_ROLE_NAME = /^[a-z0-9]([a-z0-9:._-]{0,251}[a-z0-9])?$/;

function seconds(
  config: Config | undefined,
  key: string,
  fallback: number,
  where = 'securityGuardrails.access',
): number {
  if (!config?.has(key)) return fallback;
  return readDurationSeconds(config, key, where);
}

function approvers(
  list: string[] | undefined,
  where: string,
  fallback: ApproverSource[],
): ApproverSource[] {
  if (!list) return fallback;
  for (const a of list) {
    if (a !== 'owners' && a !== 'security-leads') {
      throw new Error(
        `${where}.approvers: '${a}' must be owners or security-leads`,
      );
    }
  }
  if (list.length === 0)
    throw new Error(
      `${where}.approvers must name at least one of owners, security-leads`,
    );
  return list as ApproverSource[];
}

export function readAccessConfig(config: Config): AccessConfig {
  const access = config.getOptionalConfig('securityGuardrails.access');
  const roleConfigs = access?.getOptionalConfigArray('roles');
  const roles: GrantableRole[] = roleConfigs
    ? roleConfigs.map((r, i) => {
        const where = `securityGuardrails.access.roles[${i}]`;
        const name = r.getString('name');
        if (!ROLE_NAME.test(name))
          throw new Error(
            `${where}.name '${name}' must be lower-case letters, digits and '-'`,
          );
        const clusterRole = r.getString('clusterRole');
        if (!CLUSTER_ROLE_NAME.test(clusterRole))
          throw new Error(
            `${where}.clusterRole '${clusterRole}' is not a valid name`,
          );
        const max = Duration.fromObject(
          readDuration(r, 'maxDuration', where),
        ).as('seconds');
        const def = r.has('defaultDuration')
          ? Duration.fromObject(readDuration(r, 'defaultDuration', where)).as(
              'seconds',
            )
          : Math.min(3600, max);
        if (!(max > 0) || !(def > 0) || def > max) {
          throw new Error(
            `${where}: durations must be positive and defaultDuration at most maxDuration`,
          );
        }
        const approvalsRequired = r.getOptionalNumber('approvals') ?? 1;
        if (
          !Number.isInteger(approvalsRequired) ||
          approvalsRequired < 0 ||
          approvalsRequired > 5
        ) {
          throw new Error(
            `${where}.approvals must be a whole number from 0 (auto-approve) to 5`,
          );
        }
        return {
          name,
          clusterRole,
          description: r.getOptionalString('description'),
          defaultDurationSeconds: Math.round(def),
          maxDurationSeconds: Math.round(max),
          approvalsRequired,
          approvers: approvers(r.getOptionalStringArray('approvers'), where, [
            'owners',
            'security-leads',
          ]),
          requesterMustBeOwner:
            r.getOptionalBoolean('requesterMustBeOwner') ??
            approvalsRequired > 0,
          extensionNeedsApproval:
            r.getOptionalBoolean('extensionNeedsApproval') ??
            approvalsRequired > 0,
        };
      })
    : DEFAULT_ROLES;
  const names = new Set<string>();
  for (const r of roles) {
    if (names.has(r.name))
      throw new Error(
        `securityGuardrails.access.roles: '${r.name}' is configured twice`,
      );
    names.add(r.name);
  }

  const max = access?.getOptionalNumber('maxActiveGrantsPerUser') ?? 3;
  if (!Number.isInteger(max) || max < 1) {
    throw new Error(
      'securityGuardrails.access.maxActiveGrantsPerUser must be a whole number, at least 1',
    );
  }
  const exemptions = access?.getOptionalConfig('exemptions');
  const exemptionApprovals = exemptions?.getOptionalNumber('approvals') ?? 1;
  if (
    !Number.isInteger(exemptionApprovals) ||
    exemptionApprovals < 1 ||
    exemptionApprovals > 5
  ) {
    throw new Error(
      'securityGuardrails.access.exemptions.approvals must be a whole number from 1 to 5',
    );
  }
  const subject = access?.getOptionalConfig('subject');
  const from = (subject?.getOptionalString('from') ??
    'email') as AccessConfig['subject']['from'];
  if (!['email', 'name', 'annotation'].includes(from)) {
    throw new Error(
      'securityGuardrails.access.subject.from must be email, name or annotation',
    );
  }
  if (from === 'annotation' && !subject?.getOptionalString('annotation')) {
    throw new Error(
      'securityGuardrails.access.subject.annotation is required when subject.from is annotation',
    );
  }

  return {
    roles,
    securityLeadsGroup:
      access?.getOptionalString('securityLeadsGroup') ??
      'group:default/security-leads',
    maxActiveGrantsPerUser: max,
    pendingTimeoutSeconds: seconds(access, 'pendingTimeout', 24 * 3600),
    sweepFrequencySeconds: seconds(access, 'sweepFrequency', 30),
    expiryWarningSeconds: seconds(access, 'expiryWarning', 10 * 60),
    exemptions: {
      maxDurationSeconds: seconds(
        exemptions,
        'maxDuration',
        90 * 24 * 3600,
        'securityGuardrails.access.exemptions',
      ),
      approvalsRequired: exemptionApprovals,
      approvers: approvers(
        exemptions?.getOptionalStringArray('approvers'),
        'securityGuardrails.access.exemptions',
        ['security-leads'],
      ),
    },
    subject: {
      kind: 'User',
      from,
      annotation: subject?.getOptionalString('annotation'),
    },
    maxApplyAttempts: access?.getOptionalNumber('maxApplyAttempts') ?? 8,
    namespaceOwners: (
      access?.getOptionalConfigArray('namespaceOwners') ?? []
    ).map((o, i) => {
      const where = `securityGuardrails.access.namespaceOwners[${i}]`;
      const owner = o.getString('owner');
      if (!/^group:[^/]+\/.+$/.test(owner))
        throw new Error(
          `${where}.owner must be a group ref such as group:default/storefront-team`,
        );
      return {
        cluster: o.getString('cluster'),
        namespace: o.getString('namespace'),
        owner,
      };
    }),
    allowSystemNamespaces:
      access?.getOptionalStringArray('allowSystemNamespaces') ?? [],
  };
}
