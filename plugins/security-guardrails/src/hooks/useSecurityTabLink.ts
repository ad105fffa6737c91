import { Entity, parseEntityRef } from '@backstage/catalog-model';
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
  return checkId => tabLink(base, checkId);
}

/** An entity page's Security tab, opened on one check. */
function tabLink(entityPage: string, checkId: string): string {
  return `${entityPage}/security?${FOCUS_CHECK_PARAM}=${encodeURIComponent(
    checkId,
  )}#${checkRowId(checkId)}`;
}

/**
 * Links into any entity's Security tab by its ref, opened on one check:
 * undefined when the catalog's entity route is not in this app.
 */
export function useSecurityTabLinks():
  | ((entityRef: string, checkId: string) => string)
  | undefined {
  const entityRoute = useOptionalRouteRef(entityRouteRef);
  if (!entityRoute) return undefined;
  return (entityRef, checkId) => {
    const ref = parseEntityRef(entityRef);
    return tabLink(
      entityRoute({
        kind: ref.kind.toLocaleLowerCase('en-US'),
        namespace: ref.namespace,
        name: ref.name,
      }),
      checkId,
    );
  };
}
