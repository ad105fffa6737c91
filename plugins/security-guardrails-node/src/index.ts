/**
 * Extension points of the Security Guardrails backend, and what a custom
 * check or cluster source is written with.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './podspec';
export * from './lookup';
export * from './check';
export * from './extensions';
