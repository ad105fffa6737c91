import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { securityGuardrailsApiRef, SecurityGuardrailsClient } from './api';
import { entityContentRouteRef, rootRouteRef } from './routes';

/**
 * Security Guardrails for the legacy frontend system.
 *
 * @public
 */
export const securityGuardrailsPlugin = createPlugin({
  id: 'security-guardrails',
  apis: [
    createApiFactory({
      api: securityGuardrailsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SecurityGuardrailsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef },
});

/**
 * The adoption dashboard, check catalogue and access pages.
 *
 * @public
 */
export const SecurityGuardrailsPage = securityGuardrailsPlugin.provide(
  createRoutableExtension({
    name: 'SecurityGuardrailsPage',
    component: () =>
      import('./components/Router/SecurityGuardrailsPage').then(
        m => m.SecurityGuardrailsPage,
      ),
    mountPoint: rootRouteRef,
  }),
);

/**
 * The overview card for a service's entity page.
 *
 * @public
 */
export const EntitySecurityCard = securityGuardrailsPlugin.provide(
  createComponentExtension({
    name: 'EntitySecurityCard',
    component: {
      lazy: () =>
        import('./components/PostureCard/EntitySecurityCard').then(
          m => m.EntitySecurityCard,
        ),
    },
  }),
);

/**
 * The Security tab for a service's entity page: every check by domain, with
 * evidence, remediation, trend and exemptions.
 *
 * @public
 */
export const EntitySecurityContent = securityGuardrailsPlugin.provide(
  createRoutableExtension({
    name: 'EntitySecurityContent',
    component: () =>
      import('./components/SecurityTab/EntitySecurityContent').then(
        m => m.EntitySecurityContent,
      ),
    mountPoint: entityContentRouteRef,
  }),
);

/**
 * The team rollup card for Group entity pages.
 *
 * @public
 */
export const EntityGroupSecurityCard = securityGuardrailsPlugin.provide(
  createComponentExtension({
    name: 'EntityGroupSecurityCard',
    component: {
      lazy: () =>
        import('./components/Dashboard/GroupSecurityCard').then(
          m => m.GroupSecurityCard,
        ),
    },
  }),
);

/**
 * The rollup card for System entity pages: how the system's services are doing.
 *
 * @public
 */
export const EntitySystemSecurityCard = securityGuardrailsPlugin.provide(
  createComponentExtension({
    name: 'EntitySystemSecurityCard',
    component: {
      lazy: () =>
        import('./components/Dashboard/GroupSecurityCard').then(
          m => m.SystemSecurityCard,
        ),
    },
  }),
);
