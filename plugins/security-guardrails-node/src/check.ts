import { ClusterLookup, Workload } from './lookup';
import { CheckMeta, EntityInfo, Finding, KubeObject } from './types';

/**
 * Settings that change what checks conclude. All optional.
 *
 * @public
 */
export interface CheckSettings {
  /** `img.registry-allowed`: registries (or `registry/path` prefixes) images may come from; off when empty. */
  allowedRegistries?: string[];
  /** `res.limits`: also require CPU limits (memory limits are always required). */
  requireCpuLimits?: boolean;
  /** `maint.deprecated-api`: the Kubernetes version the clusters run, e.g. `1.31`. */
  kubernetesVersion?: string;
  /** `own.oncall`: catalog annotations that name an on-call rotation. */
  oncallAnnotations?: string[];
  /** `maint.*`: annotations that hold a binding's RFC 3339 expiry. */
  expiryAnnotations?: string[];
  /** `maint.standing-privilege`: ClusterRoles that count as powerful. */
  powerfulRoles?: string[];
  /** `own.owner`: refs of catalog Groups that exist; undefined when unknown (no catalog). */
  knownGroups?: ReadonlySet<string>;
}

/** @public */
export interface CheckContext {
  index: ClusterLookup;
  settings: Required<Omit<CheckSettings, 'knownGroups'>> &
    Pick<CheckSettings, 'knownGroups'>;
  now: Date;
}

/**
 * A check: metadata plus pure evaluation functions for the subjects it
 * inspects. A check may inspect several kinds of subject (RBAC checks look at
 * workloads' service accounts and at roles themselves).
 */
export interface Check {
  meta: CheckMeta;
  /** Once per workload, keyed by the owning controller. */
  workload?(workload: Workload, ctx: CheckContext): Finding[];
  /** The kinds {@link Check.object} inspects; `*` for every kind. */
  objectKinds?: string[];
  /** Once per object of `objectKinds`. */
  object?(object: KubeObject, ctx: CheckContext): Finding[];
  /** Once per catalog entity. */
  entity?(entity: EntityInfo, ctx: CheckContext): Finding[];
}

/**
 * Every finding has the same shape, its optional properties in place
 * (undefined ones are not written out), so the engine reads every check's
 * findings through one hidden class.
 */
function finding(
  status: Finding['status'],
  message: string,
  extra: Partial<Finding>,
): Finding {
  return {
    status,
    message,
    container: extra.container,
    field: extra.field,
    observed: extra.observed,
    severity: extra.severity,
    resource: extra.resource,
  };
}

export function pass(message: string, extra: Partial<Finding> = {}): Finding {
  return finding('pass', message, extra);
}

export function fail(message: string, extra: Partial<Finding> = {}): Finding {
  return finding('fail', message, extra);
}

export function warn(message: string, extra: Partial<Finding> = {}): Finding {
  return finding('warn', message, extra);
}

export function notApplicable(
  message: string,
  extra: Partial<Finding> = {},
): Finding {
  return finding('not-applicable', message, extra);
}

/** Observed values are shown to people: keep them short. */
export function show(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'unset';
  else if (typeof value === 'string') text = value;
  else text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
