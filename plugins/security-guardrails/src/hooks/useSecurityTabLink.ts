import { Entity } from '@backstage/catalog-model';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { useOptionalRouteRef } from './useOptionalRouteRef';

/** The query parameter that names the check the Security tab opens on. */
export const FOCUS_CHECK_PARAM = 'check';

/** The DOM id of a check's first row in the Security tab. */
export function checkRowId(checkId: string): string {
  return `sg-check-${checkId.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
}

/**
 * Links into an entity's Security tab (mounted at `security` under the
 * entity's page), opened on one check: undefined when the catalog's entity
 * route is not in this app.
 */
export function useSecurityTabLink(
  entity: Entity,
): ((checkId: string) => string) | undefined {
  const entityRoute = useOptionalRouteRef(entityRouteRef);
  if (!entityRoute) return undefined;
  const base = entityRoute({
    kind: entity.kind.toLocaleLowerCase('en-US'),
    namespace: entity.metadata.namespace ?? 'default',
    name: entity.metadata.name,
  });
  return checkId =>
    `${base}/security?${FOCUS_CHECK_PARAM}=${encodeURIComponent(
      checkId,
    )}#${checkRowId(checkId)}`;
}
