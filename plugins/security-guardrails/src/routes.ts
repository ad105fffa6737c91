import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

/** The plugin's page: adoption dashboard, checks, access. @public */
export const rootRouteRef = createRouteRef({ id: 'security-guardrails' });

/** @public */
export const checksRouteRef = createSubRouteRef({
  id: 'security-guardrails/checks',
  parent: rootRouteRef,
  path: '/checks',
});

/** @public */
export const accessRouteRef = createSubRouteRef({
  id: 'security-guardrails/access',
  parent: rootRouteRef,
  path: '/access',
});

/** @public */
export const approvalsRouteRef = createSubRouteRef({
  id: 'security-guardrails/approvals',
  parent: rootRouteRef,
  path: '/approvals',
});

/** @public */
export const auditRouteRef = createSubRouteRef({
  id: 'security-guardrails/audit',
  parent: rootRouteRef,
  path: '/audit',
});

/** The Security tab on an entity page (legacy frontend system). @public */
export const entityContentRouteRef = createRouteRef({
  id: 'security-guardrails/entity-content',
});
