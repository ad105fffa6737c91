/**
 * The Security Guardrails backend plugin.
 *
 * @packageDocumentation
 */
export { securityGuardrailsPlugin as default } from './plugin';
