/*
 * The demo portal's backend: Backstage's core plugins plus Security
 * Guardrails. Product logic lives in plugins/; only demo wiring is here.
 */
import { createBackend } from '@backstage/backend-defaults';
import { authModuleDemoPersonasProvider } from './modules/demoSignIn';
import { permissionModulePortalPolicy } from './modules/permissionPolicy';

const backend = createBackend();

// Serves the built frontend when packages/app/dist exists.
backend.add(import('@backstage/plugin-app-backend'));

// Sign-in: the guest provider, and demo personas to act as a second user;
// both refuse to start when auth.environment is production.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(authModuleDemoPersonasProvider);

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(permissionModulePortalPolicy);

backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-user-settings-backend'));

// Exposes registered actions (Security Guardrails' read-only ones) to MCP clients.
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.add(import('@internal/backstage-plugin-security-guardrails-backend'));

backend.start();
