import { ContainerInfo, PodTemplate } from './podspec';
import { KubeObject, SourceLocation } from './types';

/**
 * A workload: the top-most controller that runs pods (a Deployment, not its
 * ReplicaSets or Pods). Findings are keyed by it.
 *
 * @public
 */
export interface Workload {
  cluster: string;
  object: KubeObject;
  kind: string;
  namespace: string;
  name: string;
  template: PodTemplate;
  containers: ContainerInfo[];
  /** Objects the workload owns, transitively: its ReplicaSets, Jobs and Pods. */
  owned: KubeObject[];
}

/** @public */
export interface PolicyReportEntry {
  report: KubeObject;
  result: {
    policy?: string;
    rule?: string;
    result?: string;
    severity?: string;
    message?: string;
    source?: string;
  };
}

/** @public */
export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
  nonResourceURLs?: string[];
}

/** @public */
export interface RbacSubject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

/**
 * A binding and the subject through which it reaches someone.
 *
 * @public
 */
export interface SubjectGrant {
  binding: KubeObject;
  subject: RbacSubject;
}

/**
 * Lookups over one cluster's state, built in one pass before checks run.
 * Checks use these instead of scanning the state themselves.
 *
 * @public
 */
export interface ClusterLookup {
  readonly cluster: string;
  /** All objects of a kind. */
  list(kind: string): KubeObject[];
  /** Objects of a kind in a namespace. */
  inNamespace(kind: string, namespace: string): KubeObject[];
  /** Objects of a kind with a name, in every namespace. */
  withName(kind: string, name: string): KubeObject[];
  /** Whether the state has any object of the kind (e.g. whether a CRD's reports exist at all). */
  has(kind: string): boolean;
  /**
   * Prometheus Operator ServiceMonitors or PodMonitors (`kind`) whose
   * namespaceSelector takes in `namespace` (`any: true`, `matchNames`, or
   * else the monitor's own namespace), in list order.
   */
  monitorsSelecting(kind: string, namespace: string): KubeObject[];
  /**
   * The NetworkPolicies, PodDisruptionBudgets or Services (`kind`) of a
   * namespace whose pod selector selects pods with these labels (a
   * Service's empty selector selects nothing), in the order of
   * inNamespace(kind, namespace). Indexed, so checks need not test every
   * selector of the namespace for every workload.
   */
  selectingPods(
    kind: 'NetworkPolicy' | 'PodDisruptionBudget' | 'Service',
    namespace: string,
    labels: Record<string, string> | undefined,
  ): KubeObject[];
  /**
   * The ServiceMonitors or PodMonitors (`kind`) that take in `namespace` and
   * whose selector selects any of the label sets (a pod's, or its
   * Services'), in the order of monitorsSelecting, each with the position of
   * the first label set it selects. Indexed, like selectingPods.
   */
  monitorsMatching(
    kind: 'ServiceMonitor' | 'PodMonitor',
    namespace: string,
    labelSets: Array<Record<string, string> | undefined>,
  ): Array<{ monitor: KubeObject; selects: number }>;
  get(
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
  locationOf(obj: KubeObject): SourceLocation | undefined;
  /** Bindings that apply to a service account, directly or through its groups. */
  bindingsForServiceAccount(namespace: string, name: string): KubeObject[];
  /**
   * The same, with the subject through which each binding reaches the
   * account: itself, its user name, `system:serviceaccounts[:<ns>]`,
   * `system:authenticated`, `system:unauthenticated` or `system:anonymous`.
   */
  grantsForServiceAccount(namespace: string, name: string): SubjectGrant[];
  /** The bindings in the state that refer to a role. */
  bindingsOfRole(role: KubeObject): KubeObject[];
  /** The Role or ClusterRole a binding refers to, if the state has it. */
  roleOf(binding: KubeObject): KubeObject | undefined;
  /** The rules a binding grants (aggregation resolved, Kubernetes' defaults when absent). */
  rulesOfBinding(binding: KubeObject): PolicyRule[];
  rulesOfRole(role: KubeObject): PolicyRule[];
  vulnerabilityReportsFor(obj: KubeObject): KubeObject[];
  policyResultsFor(obj: KubeObject): PolicyReportEntry[];
  hpaFor(workload: Workload): KubeObject | undefined;
}
