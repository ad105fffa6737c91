import { createPermission } from '@backstage/plugin-permission-common';

/**
 * The catalog's resource type: entity-scoped permissions below use it, so a
 * permission policy can answer them with catalog conditions (for example
 * `isEntityOwner`), evaluated by the catalog.
 *
 * @public
 */
export const RESOURCE_TYPE_CATALOG_ENTITY = 'catalog-entity';

/**
 * Read the posture (score, findings, history) of one entity.
 *
 * @public
 */
export const guardrailsPostureReadPermission = createPermission({
  name: 'security-guardrails.posture.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Ask for an immediate re-evaluation of one entity.
 *
 * @public
 */
export const guardrailsPostureRefreshPermission = createPermission({
  name: 'security-guardrails.posture.refresh',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Read org-wide rollups: the adoption dashboard, lists across teams.
 *
 * @public
 */
export const guardrailsSummaryReadPermission = createPermission({
  name: 'security-guardrails.summary.read',
  attributes: { action: 'read' },
});

/**
 * Read the check catalogue and remediation documents.
 *
 * @public
 */
export const guardrailsChecksReadPermission = createPermission({
  name: 'security-guardrails.checks.read',
  attributes: { action: 'read' },
});

/**
 * Read the access policy, one's own requests and grants, and the requests one
 * may decide.
 *
 * @public
 */
export const guardrailsAccessReadPermission = createPermission({
  name: 'security-guardrails.access.read',
  attributes: { action: 'read' },
});

/**
 * Request temporary access to (or an exemption for) one entity.
 *
 * @public
 */
export const guardrailsAccessRequestCreatePermission = createPermission({
  name: 'security-guardrails.access-request.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Approve or deny requests. Necessary but not sufficient: the access policy
 * still decides who may approve each request (owners, security leads, never
 * the requester).
 *
 * @public
 */
export const guardrailsAccessRequestApprovePermission = createPermission({
  name: 'security-guardrails.access-request.approve',
  attributes: { action: 'update' },
});

/**
 * See every request, grant and exemption, not only one's own and those one may
 * approve; and revoke any grant.
 *
 * @public
 */
export const guardrailsAccessAdminPermission = createPermission({
  name: 'security-guardrails.access.admin',
  attributes: { action: 'update' },
});

/**
 * Read the audit history of every team.
 *
 * @public
 */
export const guardrailsAuditReadPermission = createPermission({
  name: 'security-guardrails.audit.read',
  attributes: { action: 'read' },
});

/**
 * Create, edit, start and end campaigns (security leads). Reading them
 * follows posture.read and summary.read.
 *
 * @public
 */
export const guardrailsCampaignManagePermission = createPermission({
  name: 'security-guardrails.campaign.manage',
  attributes: { action: 'update' },
});

/**
 * Every permission of the plugin, for registration and policies.
 *
 * @public
 */
export const guardrailsPermissions = [
  guardrailsPostureReadPermission,
  guardrailsPostureRefreshPermission,
  guardrailsSummaryReadPermission,
  guardrailsChecksReadPermission,
  guardrailsAccessReadPermission,
  guardrailsAccessRequestCreatePermission,
  guardrailsAccessRequestApprovePermission,
  guardrailsAccessAdminPermission,
  guardrailsAuditReadPermission,
  guardrailsCampaignManagePermission,
];
