/*
 * The access rules, as pure functions. Every refusal names its rule, so the
 * 4xx a person sees says which rule and why:
 *
 *   role-not-grantable        only configured roles (an allow-list of ClusterRoles) can be requested
 *   duration-out-of-range     within [1 minute, the role's maximum]; extensions never take a grant
 *                             past its role's maximum from when it was applied (checked when asked
 *                             and again when approved)
 *   duplicate-request         the same access (requester, entity, role, cluster, namespaces) is not
 *                             asked again while pending, approved or active (held by the database)
 *   extension-pending         at most one pending extension per grant (held by the database)
 *   grant-not-active          an extension of a grant that ended is cancelled, never approved
 *   request-timed-out         no decision once a request waited past its pending time
 *   justification-required    at least 10 characters saying why
 *   target-not-mapped         the cluster and namespaces must be where the entity's objects are
 *   requester-not-owner       the role needs the requester to be in the owning group; exemptions are
 *                             requested by the owning group or the security leads
 *   concurrent-grant-limit    at most N access requests pending, approved or active per person, counted
 *                             at creation and again (approved or active) at approval, atomically
 *   no-self-approval          nobody decides their own request
 *   approver-not-allowed      approvers come from the owning group and/or the security leads, by role
 *   distinct-approvers        one decision per person (enforced by the store)
 *   invalid-state             the request is not in a state that allows this
 *   not-requester             only the requester cancels or extends
 *   revoke-not-allowed        the requester, its approvers and security leads revoke
 *   unknown-check             exemptions name a check of the catalogue
 */
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import {
  AccessRequestBody,
  ExemptionRequestBody,
  AccessPolicyInfo,
  AccessRequest,
  GrantableRole,
} from '@internal/backstage-plugin-security-guardrails-common';
import { AccessConfig } from '../config';

/** Who is acting: their user ref and everything they belong to (groups). */
export interface Actor {
  userRef: string;
  ownershipRefs: string[];
}

export interface EntityContext {
  ref: string;
  owner?: string;
  kubernetesId?: string;
  /** Where the entity's objects are. */
  targets: Array<{ cluster: string; namespaces: string[] }>;
}

/** What the policy judges of an access request: its validated body (the contract's), less the entity. */
export type AccessRequestInput = Omit<AccessRequestBody, 'entityRef'>;

/** What the policy judges of an exemption request. */
export type ExemptionRequestInput = Omit<ExemptionRequestBody, 'entityRef'>;

export type RuleStatus = 400 | 403 | 409;

/** Builds the @backstage/errors error for a refused rule. */
export function refuse(
  rule: string,
  message: string,
  status: RuleStatus,
): Error {
  const text = `Refused by rule ${rule}: ${message}`;
  if (status === 403) return new NotAllowedError(text);
  if (status === 409) return new ConflictError(text);
  return new InputError(text);
}

const MIN_DURATION_SECONDS = 60;
const MIN_JUSTIFICATION = 10;

function formatSeconds(s: number): string {
  if (s % 86400 === 0) return `${s / 86400} d`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

export class AccessPolicy {
  constructor(readonly config: AccessConfig) {}

  info(): AccessPolicyInfo {
    return {
      roles: this.config.roles,
      maxActiveGrantsPerUser: this.config.maxActiveGrantsPerUser,
      pendingTimeoutSeconds: this.config.pendingTimeoutSeconds,
      exemptions: {
        maxDurationSeconds: this.config.exemptions.maxDurationSeconds,
        approvalsRequired: this.config.exemptions.approvalsRequired,
      },
      securityLeadsGroup: this.config.securityLeadsGroup,
    };
  }

  role(name: string): GrantableRole | undefined {
    return this.config.roles.find(r => r.name === name);
  }

  /** Refs whose members may decide: the owner and/or the security leads. */
  approverRefs(
    sources: Array<'owners' | 'security-leads'>,
    entity: EntityContext,
  ): string[] {
    const refs: string[] = [];
    if (sources.includes('owners') && entity.owner) refs.push(entity.owner);
    if (sources.includes('security-leads'))
      refs.push(this.config.securityLeadsGroup);
    return [...new Set(refs)];
  }

  #justification(text: string) {
    if (typeof text !== 'string' || text.trim().length < MIN_JUSTIFICATION) {
      throw refuse(
        'justification-required',
        `say why, in at least ${MIN_JUSTIFICATION} characters`,
        400,
      );
    }
  }

  validateAccess(
    input: AccessRequestInput,
    requester: Actor,
    entity: EntityContext,
    holding: number,
  ) {
    const role = this.role(input.role);
    if (!role) {
      throw refuse(
        'role-not-grantable',
        `'${
          input.role
        }' is not a grantable role; choose one of ${this.config.roles
          .map(r => r.name)
          .join(', ')}`,
        400,
      );
    }
    const duration = input.durationSeconds ?? role.defaultDurationSeconds;
    if (
      !Number.isInteger(duration) ||
      duration < MIN_DURATION_SECONDS ||
      duration > role.maxDurationSeconds
    ) {
      throw refuse(
        'duration-out-of-range',
        `durationSeconds must be between ${MIN_DURATION_SECONDS} and ${
          role.maxDurationSeconds
        } (${formatSeconds(role.maxDurationSeconds)}) for ${role.name}`,
        400,
      );
    }
    this.#justification(input.justification);
    const target = entity.targets.find(t => t.cluster === input.cluster);
    if (!target) {
      throw refuse(
        'target-not-mapped',
        `${entity.ref} has no objects in cluster '${input.cluster}'${
          entity.targets.length
            ? `; it is in ${entity.targets.map(t => t.cluster).join(', ')}`
            : ''
        }`,
        400,
      );
    }
    const outside = input.namespaces.filter(
      ns => !target.namespaces.includes(ns),
    );
    if (input.namespaces.length === 0 || outside.length > 0) {
      throw refuse(
        'target-not-mapped',
        `namespaces must be among those of ${entity.ref} in ${
          input.cluster
        } (${target.namespaces.join(', ')})${
          outside.length ? `, not ${outside.join(', ')}` : ''
        }`,
        400,
      );
    }
    if (
      role.requesterMustBeOwner &&
      !(entity.owner && requester.ownershipRefs.includes(entity.owner))
    ) {
      throw refuse(
        'requester-not-owner',
        `${role.name} can only be requested by members of ${
          entity.owner ?? 'the owning group'
        }`,
        403,
      );
    }
    if (holding >= this.config.maxActiveGrantsPerUser) {
      throw refuse(
        'concurrent-grant-limit',
        `you already have ${holding} grant(s) requested, approved or active; the limit is ${this.config.maxActiveGrantsPerUser}. Revoke or cancel one you no longer need`,
        409,
      );
    }
    return {
      role,
      durationSeconds: duration,
      approvalsRequired: role.approvalsRequired,
      approverRefs: this.approverRefs(role.approvers, entity),
    };
  }

  validateExemption(
    input: ExemptionRequestInput,
    requester: Actor,
    entity: EntityContext,
    knownChecks: ReadonlySet<string>,
  ) {
    const lead = this.config.securityLeadsGroup;
    if (
      !requester.ownershipRefs.includes(lead) &&
      !(entity.owner && requester.ownershipRefs.includes(entity.owner))
    ) {
      throw refuse(
        'requester-not-owner',
        `exemptions for ${entity.ref} are requested by members of ${
          entity.owner ? `${entity.owner} or ` : ''
        }${lead}`,
        403,
      );
    }
    if (!knownChecks.has(input.checkId)) {
      throw refuse(
        'unknown-check',
        `'${input.checkId}' is not a check of the catalogue`,
        400,
      );
    }
    const max = this.config.exemptions.maxDurationSeconds;
    if (
      !Number.isInteger(input.durationSeconds) ||
      input.durationSeconds < MIN_DURATION_SECONDS ||
      input.durationSeconds > max
    ) {
      throw refuse(
        'duration-out-of-range',
        `durationSeconds must be between ${MIN_DURATION_SECONDS} and ${max} (${formatSeconds(
          max,
        )})`,
        400,
      );
    }
    this.#justification(input.justification);
    return {
      durationSeconds: input.durationSeconds,
      approvalsRequired: this.config.exemptions.approvalsRequired,
      approverRefs: this.approverRefs(this.config.exemptions.approvers, entity),
    };
  }

  validateExtension(
    parent: AccessRequest,
    requester: Actor,
    durationSeconds: number,
    justification: string,
  ) {
    if (
      parent.kind !== 'access' ||
      parent.state !== 'active' ||
      !parent.expiresAt
    ) {
      throw refuse(
        'invalid-state',
        `only an active grant can be extended; this one is ${parent.state}`,
        409,
      );
    }
    if (parent.requester !== requester.userRef) {
      throw refuse(
        'not-requester',
        'only the person who holds the grant can extend it',
        403,
      );
    }
    this.#justification(justification);
    const newExpiry = this.checkExtensionCeiling(parent, durationSeconds, 400);
    const role = this.role(parent.role!)!;
    return {
      role,
      needsApproval: role.extensionNeedsApproval,
      newExpiry,
    };
  }

  /**
   * A grant lasts at most its role's maximum from when it was applied:
   * extensions fill that time and never go past it, however many there are
   * and in whatever order they are approved. The new expiry, or the rule.
   */
  checkExtensionCeiling(
    grant: AccessRequest,
    durationSeconds: number,
    status: RuleStatus,
  ): Date {
    const role = this.role(grant.role ?? '');
    if (!role)
      throw refuse(
        'role-not-grantable',
        `role '${grant.role}' is no longer grantable`,
        409,
      );
    // Applied when it became active; before the store kept appliedAt, its
    // expiry less its duration.
    const start = grant.appliedAt
      ? Date.parse(grant.appliedAt)
      : Date.parse(grant.expiresAt ?? '') - grant.durationSeconds * 1000;
    const ceiling = start + role.maxDurationSeconds * 1000;
    const newExpiry =
      Date.parse(grant.expiresAt ?? '') + durationSeconds * 1000;
    if (
      !Number.isInteger(durationSeconds) ||
      durationSeconds < MIN_DURATION_SECONDS ||
      !(newExpiry <= ceiling)
    ) {
      const left = Math.max(
        0,
        Math.floor((ceiling - Date.parse(grant.expiresAt ?? '')) / 1000),
      );
      throw refuse(
        'duration-out-of-range',
        `grants of ${role.name} last at most ${formatSeconds(
          role.maxDurationSeconds,
        )} from when they are applied; this one was applied at ${new Date(
          start,
        ).toISOString()}, so it can be extended by at most ${formatSeconds(
          left,
        )}; request new access for longer`,
        status,
      );
    }
    return new Date(newExpiry);
  }

  /** Whether this person may decide on this request now; throws the rule that says no. */
  checkDecision(request: AccessRequest, approver: Actor, now: Date): void {
    if (request.state !== 'pending') {
      throw refuse(
        'invalid-state',
        `the request is ${request.state}, not pending`,
        409,
      );
    }
    if (
      request.pendingExpiresAt &&
      Date.parse(request.pendingExpiresAt) <= now.getTime()
    ) {
      throw refuse(
        'request-timed-out',
        `the request waited for a decision until ${request.pendingExpiresAt} and can no longer be approved or denied`,
        409,
      );
    }
    if (request.requester === approver.userRef) {
      throw refuse(
        'no-self-approval',
        'you made this request, so someone else must decide it',
        403,
      );
    }
    const allowed = request.approverGroups.some(
      ref => ref === approver.userRef || approver.ownershipRefs.includes(ref),
    );
    if (!allowed) {
      throw refuse(
        'approver-not-allowed',
        `decisions on this request are for members of ${
          request.approverGroups.join(' or ') || 'nobody'
        }`,
        403,
      );
    }
  }

  checkCancel(request: AccessRequest, actor: Actor): void {
    if (request.requester !== actor.userRef) {
      throw refuse(
        'not-requester',
        'only the requester can cancel a request',
        403,
      );
    }
    if (request.state !== 'pending') {
      throw refuse(
        'invalid-state',
        `only pending requests can be cancelled; this one is ${request.state}`,
        409,
      );
    }
  }

  checkRevoke(request: AccessRequest, actor: Actor, isAdmin: boolean): void {
    if (request.state !== 'active' && request.state !== 'approved') {
      throw refuse(
        'invalid-state',
        `only approved or active grants can be revoked; this one is ${request.state}`,
        409,
      );
    }
    const approver = request.approvals.some(
      a => a.approver === actor.userRef && a.decision === 'approve',
    );
    const lead = actor.ownershipRefs.includes(this.config.securityLeadsGroup);
    if (request.requester !== actor.userRef && !approver && !lead && !isAdmin) {
      throw refuse(
        'revoke-not-allowed',
        'only the requester, its approvers and security leads can revoke it',
        403,
      );
    }
  }
}
