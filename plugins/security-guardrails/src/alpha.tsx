/**
 * Security Guardrails for the new frontend system: the same features as the
 * main entry, as extensions.
 *
 * @packageDocumentation
 */
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { convertLegacyRouteRefs } from '@backstage/core-compat-api';
import SecurityIcon from '@material-ui/icons/Security';
import { securityGuardrailsApiRef, SecurityGuardrailsClient } from './api';
import { isMapped } from './components/common/mapping';
import {
  accessRouteRef,
  approvalsRouteRef,
  auditRouteRef,
  checksRouteRef,
  rootRouteRef,
} from './routes';

const api = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: securityGuardrailsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SecurityGuardrailsClient({ discoveryApi, fetchApi }),
    }),
});

const page = PageBlueprint.make({
  params: {
    path: '/security',
    title: 'Security',
    icon: <SecurityIcon fontSize="inherit" />,
    routeRef: convertLegacyRouteRefs({ root: rootRouteRef }).root,
    loader: () =>
      import('./components/Router/SecurityGuardrailsPage').then(m => (
        <m.SecurityGuardrailsPage />
      )),
  },
});

/** The posture card on the overview of services with Kubernetes objects. */
const entityCard = EntityCardBlueprint.make({
  name: 'posture',
  params: {
    filter: { kind: { $in: ['component', 'resource'] } },
    loader: () =>
      import('./components/PostureCard/EntitySecurityCard').then(m => (
        <m.EntitySecurityCard />
      )),
  },
});

/** The Security tab on services that map to Kubernetes objects. */
const entityContent = EntityContentBlueprint.make({
  name: 'security',
  params: {
    path: '/security',
    title: 'Security',
    filter: isMapped,
    loader: () =>
      import('./components/SecurityTab/EntitySecurityContent').then(m => (
        <m.EntitySecurityContent />
      )),
  },
});

/** The team rollup on Group pages. */
const groupCard = EntityCardBlueprint.make({
  name: 'group',
  params: {
    filter: { kind: 'group' },
    loader: () =>
      import('./components/Dashboard/GroupSecurityCard').then(m => (
        <m.GroupSecurityCard />
      )),
  },
});

/** The rollup of a system's services on System pages. */
const systemCard = EntityCardBlueprint.make({
  name: 'system',
  params: {
    filter: { kind: 'system' },
    loader: () =>
      import('./components/Dashboard/GroupSecurityCard').then(m => (
        <m.SystemSecurityCard />
      )),
  },
});

/** @alpha */
export default createFrontendPlugin({
  pluginId: 'security-guardrails',
  extensions: [api, page, entityCard, entityContent, groupCard, systemCard],
  routes: convertLegacyRouteRefs({
    root: rootRouteRef,
    checks: checksRouteRef,
    access: accessRouteRef,
    approvals: approvalsRouteRef,
    audit: auditRouteRef,
  }),
});
