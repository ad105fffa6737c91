import { ReactNode } from 'react';
import { Entity } from '@backstage/catalog-model';
import { ApiRef, identityApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  defaultEntityPresentation,
  EntityProvider,
  entityPresentationApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { SWRConfig } from 'swr';
import { SecurityGuardrailsApi, securityGuardrailsApiRef } from '../api';
import { rootRouteRef } from '../routes';

/** Display names the catalog would give, as a catalog with these entities does. */
export const DISPLAY_NAMES: Record<string, string> = {
  'group:default/payments': 'Payments Team',
  'group:default/web': 'Web Team',
  'user:default/dana': 'Dana Developer',
  'user:default/sam': 'Sam Security',
  'component:default/storefront': 'Storefront',
};

const presentation = {
  forEntity(entityOrRef: Entity | string) {
    const snapshot = defaultEntityPresentation(entityOrRef);
    const name = DISPLAY_NAMES[snapshot.entityRef];
    const value = name ? { ...snapshot, primaryTitle: name } : snapshot;
    return { snapshot: value, promise: Promise.resolve(value) };
  },
};

/** Renders a component in a test app with the plugin's API mocked (and an entity, when given). */
export function renderWithApi(
  element: ReactNode,
  options: {
    api: SecurityGuardrailsApi;
    entity?: Entity;
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    path?: string;
    /** Mount the plugin's root route at /security (off when the test renders the page itself). */
    mountRoot?: boolean;
    /** More APIs the component may use (e.g. notifications). */
    apis?: Array<readonly [ApiRef<any>, any]>;
  },
) {
  const identity = {
    getProfileInfo: async () => ({
      email: 'dana@acme.example',
      displayName: 'Dana',
    }),
    getBackstageIdentity: async () => ({
      type: 'user' as const,
      userEntityRef: 'user:default/dana',
      ownershipEntityRefs: ['user:default/dana'],
    }),
    getCredentials: async () => ({ token: 't' }),
    signOut: async () => {},
  };
  // usePermission caches decisions in SWR's global cache; a fresh cache per
  // render keeps one test's ALLOW from answering the next test's DENY.
  return renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider
        apis={[
          [securityGuardrailsApiRef, options.api],
          [entityPresentationApiRef, presentation],
          ...(options.apis ?? []),
          [identityApiRef, identity],
          [
            permissionApiRef,
            new MockPermissionApi(
              () => options.permission ?? AuthorizeResult.ALLOW,
            ),
          ],
        ]}
      >
        {options.entity ? (
          <EntityProvider entity={options.entity}>{element}</EntityProvider>
        ) : (
          element
        )}
      </TestApiProvider>
    </SWRConfig>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        ...(options.mountRoot === false ? {} : { '/security': rootRouteRef }),
      },
      routeEntries: options.path ? [options.path] : undefined,
    },
  );
}
