import type { CheckFix } from './remediation';

/**
 * The five domains a posture is scored in (from "Security Is Infrastructure").
 *
 * @public
 */
export const DOMAINS = [
  'architecture',
  'implementation',
  'observability',
  'response',
  'maintenance',
] as const;

/** @public */
export type Domain = (typeof DOMAINS)[number];

/** @public */
export const DOMAIN_TITLES: Record<Domain, string> = {
  architecture: 'Architecture & design',
  implementation: 'Implementation',
  observability: 'Observability',
  response: 'Response & recovery',
  maintenance: 'Maintenance',
};

/** @public */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/** @public */
export type Severity = (typeof SEVERITIES)[number];

/**
 * What one check concluded about one (resource, container).
 *
 * - `pass` / `fail`: the control is or is not in place.
 * - `warn`: in place only partly, or not verifiable; counts half a failure.
 * - `not-applicable`: the check does not apply to this resource.
 * - `exempt`: the check failed but an active, approved exemption covers it.
 *
 * @public
 */
export const RESULT_STATUSES = [
  'pass',
  'fail',
  'warn',
  'not-applicable',
  'exempt',
] as const;

/** @public */
export type ResultStatus = (typeof RESULT_STATUSES)[number];

/**
 * The stable ids of the built-in checks. Ids never change once released;
 * custom checks added through the extension point use their own prefixes.
 *
 * @public
 */
export const CHECK_IDS = [
  'sc.privileged',
  'sc.priv-escalation',
  'sc.non-root',
  'sc.readonly-rootfs',
  'sc.caps-drop-all',
  'sc.dangerous-caps',
  'sc.host-namespaces',
  'sc.host-port',
  'sc.host-path',
  'sc.seccomp',
  'sc.pss-baseline-misc',
  'img.tag-pinned',
  'img.registry-allowed',
  'secret.env-literal',
  'secret.configmap',
  'res.requests',
  'res.limits',
  'net.policy-coverage',
  'net.exposure',
  'sa.automount',
  'sa.dedicated',
  'ns.not-default',
  'rbac.cluster-admin',
  'rbac.wildcard',
  'rbac.secrets-read',
  'rbac.exec-attach',
  'rbac.escalate',
  'probe.readiness',
  'probe.liveness',
  'obs.metrics',
  'meta.labels',
  'own.owner',
  'own.runbook',
  'own.oncall',
  'ha.pdb',
  'ha.replicas',
  'ha.spread',
  'maint.standing-privilege',
  'maint.expired-binding',
  'maint.dangling-rbac',
  'maint.deprecated-api',
  'maint.image-vulns',
  'maint.policy-reports',
] as const;

/** @public */
export type BuiltinCheckId = (typeof CHECK_IDS)[number];

/**
 * A check id: one of {@link CHECK_IDS} or the id of a custom check.
 * Ids are `<family>.<name>` in lower case.
 *
 * @public
 */
export const CHECK_ID_PATTERN = /^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$/;

/**
 * What the check catalogue says of one check; served by `GET /checks`.
 *
 * @public
 */
export interface CheckDescription {
  id: string;
  title: string;
  domain: Domain;
  severity: Severity;
  /** Why this matters, in a sentence or two. */
  rationale: string;
  /** Markdown: how to fix it, with a corrected YAML snippet. */
  remediation: string;
  /** Where the control comes from (PSS, Polaris, kube-score, Kubescape, Trivy KSV...). */
  references?: string[];
  /** How a result's severity departs from `severity` with the evidence; results carry the effective one. */
  severityRule?: string;
  /** The value that fixes a failing result's field, for checks where one value does (fillFix). */
  fix?: CheckFix;
}
