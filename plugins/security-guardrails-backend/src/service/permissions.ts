/*
 * Permission checks, after the Kubernetes backend's requirePermission: every
 * route names the permission it needs; a denial is a 403 that says which.
 */
import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

/** Who a request acts as, for the audit: the user's ref, or the service principal. */
export function principalRef(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    userEntityRef?: string;
    subject?: string;
  };
  return p.userEntityRef ?? `service:${p.subject ?? 'unknown'}`;
}

export async function requirePermission(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  permission: BasicPermission,
): Promise<void> {
  const [decision] = await permissions.authorize([{ permission }], {
    credentials,
  });
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(`This needs the ${permission.name} permission`);
  }
}

export async function requireEntityPermission(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  permission: ResourcePermission<'catalog-entity'>,
  entityRef: string,
): Promise<void> {
  const [decision] = await permissions.authorize(
    [{ permission, resourceRef: entityRef }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `This needs the ${permission.name} permission on ${entityRef}`,
    );
  }
}

/** The subset of entity refs the caller holds a permission on. */
export async function filterByEntityPermission(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  permission: ResourcePermission<'catalog-entity'>,
  entityRefs: string[],
): Promise<Set<string>> {
  if (entityRefs.length === 0) return new Set();
  const decisions = await permissions.authorize(
    entityRefs.map(resourceRef => ({ permission, resourceRef })),
    { credentials },
  );
  return new Set(
    entityRefs.filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW),
  );
}
