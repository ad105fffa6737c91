import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { ClusterSnapshot } from './types';
import type { Check } from './check';

/**
 * Something that reads one cluster's state.
 *
 * @public
 */
export interface ClusterStateSource {
  /** The cluster name results and grants refer to. */
  readonly cluster: string;
  /** Reads the cluster. Should not throw: failures go in the snapshot's status and errors. */
  read(): Promise<ClusterSnapshot>;
}

/**
 * Lets backend modules add checks to the posture engine. Ids must match
 * `<family>.<name>` and must not clash with built-in or other custom checks.
 *
 * @public
 */
export interface SecurityGuardrailsChecksExtensionPoint {
  addChecks(...checks: Check[]): void;
}

/** @public */
export const securityGuardrailsChecksExtensionPoint =
  createExtensionPoint<SecurityGuardrailsChecksExtensionPoint>({
    id: 'security-guardrails.checks',
  });

/**
 * Lets backend modules add cluster sources (another inventory, a cloud API)
 * next to the configured clusters.
 *
 * @public
 */
export interface SecurityGuardrailsSourcesExtensionPoint {
  addSource(source: ClusterStateSource): void;
}

/** @public */
export const securityGuardrailsSourcesExtensionPoint =
  createExtensionPoint<SecurityGuardrailsSourcesExtensionPoint>({
    id: 'security-guardrails.sources',
  });
