/**
 * Shared types, check ids, annotation names and permissions of the Security
 * Guardrails plugins. No I/O and no Node.js APIs: safe for browser and server.
 *
 * @packageDocumentation
 */

export * from './checks';
export * from './remediation';
export * from './roleBinding';
export * from './campaigns';
export * from './results';
export * from './failures';
export * from './scoring';
export * from './annotations';
export * from './permissions';
export * from './api';
export * from './postureApi';
export * from './accessApi';
export * from './contract';
