/*
 * Names of annotations and labels the plugins read or write.
 */

/**
 * Catalog annotations that map an entity to Kubernetes objects, the same
 * conventions as the Backstage Kubernetes plugin.
 *
 * @public
 */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
/** @public */
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';
/** @public */
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';
/**
 * The label on Kubernetes objects that carries the value of
 * {@link KUBERNETES_ID_ANNOTATION}.
 *
 * @public
 */
export const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';

/**
 * Catalog annotation: a runbook URL (a link in `metadata.links` whose type or
 * title says "runbook" counts as well).
 *
 * @public
 */
export const RUNBOOK_ANNOTATION = 'security-guardrails.io/runbook-url';

/**
 * Catalog annotations that name an on-call rotation. Any one of them satisfies
 * `own.oncall`; more can be added in config.
 *
 * @public
 */
export const ONCALL_ANNOTATIONS = [
  'pagerduty.com/integration-key',
  'pagerduty.com/service-id',
  'opsgenie.com/component-selector',
  'opsgenie.com/team',
  'splunk.com/on-call-team',
  'firehydrant.com/service-name',
  'incident.io/service',
  'security-guardrails.io/oncall',
];

/**
 * Prefix of a workload annotation that exempts it from one check:
 * `security-guardrails.io/exempt-<check id>: "<YYYY-MM-DD> <reason>"`.
 * The date is when the exemption ends; both date and reason are required.
 * Annotation exemptions can be switched off in config, because anyone who can
 * deploy the workload can set them.
 *
 * @public
 */
export const EXEMPTION_ANNOTATION_PREFIX = 'security-guardrails.io/exempt-';

/**
 * Labels and annotations on the RoleBindings that time-limited grants create.
 * Labels cannot hold `:`, so the RFC 3339 expiry is an annotation.
 *
 * @public
 */
export const GRANT_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  grantId: 'security-guardrails.io/grant-id',
} as const;
/** @public */
export const GRANT_MANAGED_BY_VALUE = 'security-guardrails';
/** @public */
export const GRANT_ANNOTATIONS = {
  expiresAt: 'security-guardrails.io/expires-at',
  requester: 'security-guardrails.io/requester',
  approvers: 'security-guardrails.io/approvers',
  justification: 'security-guardrails.io/justification',
  entityRef: 'security-guardrails.io/entity-ref',
} as const;

/**
 * Annotations holding an RFC 3339 expiry on a binding: ours, and the one used
 * by rbac-expiry-operator style controllers. More can be added in config.
 *
 * @public
 */
export const BINDING_EXPIRY_ANNOTATIONS = [
  GRANT_ANNOTATIONS.expiresAt,
  'rbac-expiry-operator.io/expires-at',
  'expires-at',
];
