/**
 * Security Guardrails frontend plugin (legacy frontend system). The new
 * frontend system's features are exported from `./alpha`.
 *
 * @packageDocumentation
 */
export {
  securityGuardrailsPlugin,
  SecurityGuardrailsPage,
  EntitySecurityCard,
  EntitySecurityContent,
  EntityGroupSecurityCard,
  EntitySystemSecurityCard,
} from './plugin';
export * from './api';
export {
  createSecurityGradeColumn,
  SecurityGradeCell,
} from './components/common/SecurityGradeColumn';
export { rootRouteRef, entityContentRouteRef } from './routes';
