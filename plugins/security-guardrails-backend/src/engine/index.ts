/*
 * The posture engine: pure functions from cluster state and catalog entities
 * to results and scores. No I/O and no Backstage imports, so the backend, the
 * CLI and the benchmarks share it and tests use plain objects.
 */
export * from '@internal/backstage-plugin-security-guardrails-node';
export type {
  Check,
  CheckContext,
  CheckSettings,
} from '@internal/backstage-plugin-security-guardrails-node';
export {
  pass,
  fail,
  warn,
  notApplicable,
  show,
} from '@internal/backstage-plugin-security-guardrails-node';
export { BUILTIN_CHECKS } from './checks';
export { ClusterIndex, WORKLOAD_KINDS } from './clusterIndex';
export { isClusterScoped, CLUSTER_SCOPED_KINDS } from './kinds';
export { evaluate, evaluateInSlices, DEFAULT_SETTINGS } from './evaluate';
export type {
  EvaluateOptions,
  Evaluation,
  EntityEvaluation,
  EvaluationError,
} from './evaluate';
export { EntityMapper, hasKubernetesMapping } from './mapping';
export { addChange, affectedEntities, emptyChangeScope } from './affected';
export type { ChangeScope, ObjectChange } from './affected';
export type { ExemptionRule } from './exemptions';
export type { ManagedGrant } from './managedGrants';
export { parseExpiry } from './exemptions';
