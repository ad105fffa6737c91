import { Domain, ResultStatus, Severity } from './checks';

/**
 * A Kubernetes object a result is about.
 *
 * @public
 */
export interface ResourceRef {
  /** The configured cluster name (a manifests directory counts as a cluster). */
  cluster: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * Why a failing check does not count: an approved, unexpired exemption.
 *
 * @public
 */
export interface ExemptionInfo {
  /** Where the exemption comes from. */
  source: 'config' | 'annotation' | 'request';
  reason: string;
  /** RFC 3339 time after which the exemption stops counting. */
  expiresAt: string;
  /** Who approved it (for exemption requests). */
  approvedBy?: string[];
  /** The exemption request id, when it came from one. */
  requestId?: string;
}

/**
 * One result per (check, resource, container), with its evidence.
 *
 * @public
 */
export interface CheckResult {
  checkId: string;
  status: ResultStatus;
  severity: Severity;
  domain: Domain;
  resource: ResourceRef;
  /** The container the result is about, for container-level checks. */
  container?: string;
  /** Path of the inspected field, e.g. `spec.template.spec.containers[api].securityContext.privileged`. */
  field?: string;
  /** What was observed there (never a Secret or ConfigMap value). */
  observed?: string;
  message: string;
  /** Where the resource's document is, for manifests. */
  source?: { file: string; line: number };
  /** Set when `status` is `exempt`. */
  exemption?: ExemptionInfo;
  /**
   * Set on the `not-applicable` result that stands for a RoleBinding this
   * product applied for a temporary grant that is still active: such a
   * binding is shown, not graded.
   */
  temporaryAccess?: TemporaryAccessInfo;
}

/**
 * An active temporary grant as the posture shows it.
 *
 * @public
 */
export interface TemporaryAccessInfo {
  /** The access request that granted it. */
  grantId: string;
  /** `User alice@example.com`, as the binding's subjects say. */
  subjects: string[];
  /** The ClusterRole the binding refers to. */
  clusterRole: string;
  /** RFC 3339: when it is revoked. */
  expiresAt: string;
}

/**
 * A stable key of a result: the same (check, resource, container) gets the
 * same key across evaluations, which is what history and "failing since" use.
 *
 * @public
 */
export function resultKey(
  result: Pick<CheckResult, 'checkId' | 'resource' | 'container'>,
): string {
  const r = result.resource;
  return [
    result.checkId,
    r.cluster,
    r.kind,
    r.namespace ?? '',
    r.name,
    result.container ?? '',
  ].join('|');
}

/**
 * Orders strings by UTF-16 code units, the same everywhere (unlike
 * localeCompare), for deterministic output.
 *
 * @public
 */
export function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}
