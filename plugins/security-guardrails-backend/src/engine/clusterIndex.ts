/*
 * One pass over a cluster snapshot builds every lookup the checks need, so no
 * check rescans the state: objects by kind and namespace, owners, bindings by
 * subject, reports by the resource they describe.
 *
 * Over 400 lines on purpose: one index of a cluster, every lookup the checks
 * make built in one pass, so none of them scans a kind per workload.
 */
import {
  ClusterLookup,
  ClusterSnapshot,
  containersOf,
  KubeObject,
  PolicyReportEntry,
  podTemplateOf,
  SourceLocation,
  SubjectGrant,
  Workload,
} from '@internal/backstage-plugin-security-guardrails-node';
import { compareStrings } from '@internal/backstage-plugin-security-guardrails-common';
import {
  DEFAULT_AGGREGATION_LABELS,
  DEFAULT_CLUSTER_ROLE_RULES,
  PolicyRule,
  roleRefOf,
  rulesOf,
  subjectsOf,
} from './rbac';
import { isClusterScoped } from './kinds';
import { Labels, SelectorIndex, selectorMatches } from './selectors';
import { runSteps, sortInSteps, STEP, Steps } from './steps';

const DEFER = Symbol('defer');

/** Kinds that run pods; findings are keyed by the top-most of them. */
export const WORKLOAD_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'CronJob',
  'Job',
  'ReplicaSet',
  'ReplicationController',
  'Pod',
]);

/** How each kind that selects pods holds its selector. */
const POD_SELECTORS = {
  NetworkPolicy: {
    selectorOf: (o: KubeObject) => (o.spec as any)?.podSelector,
    form: 'structured',
  },
  PodDisruptionBudget: {
    selectorOf: (o: KubeObject) => (o.spec as any)?.selector,
    form: 'structured',
  },
  // A plain map: an empty or missing selector selects nothing.
  Service: {
    selectorOf: (o: KubeObject) => (o.spec as any)?.selector,
    form: 'map',
  },
} as const;

export type PodSelectingKind = keyof typeof POD_SELECTORS;

/** How ServiceMonitors and PodMonitors hold their selector. */
const MONITOR_SELECTOR = {
  selectorOf: (o: KubeObject) => (o.spec as any)?.selector,
  form: 'structured',
} as const;

/** Every kind with a selector index (see #selectorIndex). */
const SELECTORS = {
  ...POD_SELECTORS,
  ServiceMonitor: MONITOR_SELECTOR,
  PodMonitor: MONITOR_SELECTOR,
};

/**
 * Items by an object's kind, namespace and name, in nested maps of those
 * strings: no key string is built to add or to look up.
 */
class ByObject<T> {
  readonly #map = new Map<string, Map<string, Map<string, T[]>>>();

  add(kind: string, namespace: string, name: string, item: T) {
    let byNs = this.#map.get(kind);
    if (!byNs) {
      byNs = new Map();
      this.#map.set(kind, byNs);
    }
    let byName = byNs.get(namespace);
    if (!byName) {
      byName = new Map();
      byNs.set(namespace, byName);
    }
    const list = byName.get(name);
    if (list) list.push(item);
    else byName.set(name, [item]);
  }

  get(kind: string, namespace: string, name: string): T[] {
    return this.#map.get(kind)?.get(namespace)?.get(name) ?? [];
  }
}

function key(kind: string, namespace: string | undefined, name: string) {
  return `${kind}/${namespace ?? ''}/${name}`;
}

function nsOf(obj: KubeObject): string {
  return obj.metadata.namespace ?? 'default';
}

/** The objects of one kind; the maps by name are built on first lookup. */
interface KindIndex {
  all: KubeObject[];
  byNamespace: Map<string, KubeObject[]>;
  byNamespaceAndName?: Map<string, Map<string, KubeObject>>;
  byName?: Map<string, KubeObject[]>;
}

const byObjectName = (a: KubeObject, b: KubeObject) =>
  compareStrings(a.metadata.name, b.metadata.name);

export class ClusterIndex implements ClusterLookup {
  readonly cluster: string;
  readonly snapshot: ClusterSnapshot;
  /** Top-level workloads (those with a pod template), in report order. */
  readonly workloads: Workload[] = [];
  /**
   * Every object that can be a subject of findings, in report order: by
   * kind, then namespace, then name, and duplicates in snapshot order. Not
   * the objects a workload in the state owns (its ReplicaSets, Jobs and
   * Pods): findings are keyed by the owning controller. An evaluation that
   * visits objects in this order reports each check's results sorted,
   * without sorting them.
   */
  readonly ordered: KubeObject[] = [];

  /**
   * Per kind: every object, by namespace ('' where cluster-scoped), and by
   * name once a lookup asks. Nested maps keyed by the object's own strings,
   * so indexing 200,000 objects builds no key string.
   */
  readonly #kinds = new Map<string, KindIndex>();
  /** Workloads by uid, built when an owner reference's uid is not its named owner's. */
  #byUid: Map<string, KubeObject> | undefined;
  readonly #grantsBySubject = new Map<string, SubjectGrant[]>();
  readonly #bindingsByRole = new Map<string, KubeObject[]>();
  readonly #vulnReports = new ByObject<KubeObject>();
  readonly #policyResults = new ByObject<PolicyReportEntry>();
  readonly #hpaByTarget = new ByObject<KubeObject>();
  /** grantsForServiceAccount's answers, by namespace and name. */
  readonly #serviceAccountGrants = new Map<
    string,
    Map<string, SubjectGrant[]>
  >();
  readonly #aggregatedRules = new Map<string, PolicyRule[]>();
  /** rulesOfRole's answers. */
  readonly #rulesByRole = new Map<KubeObject, PolicyRule[]>();
  /** Objects whose top owner is another workload in the state. */
  readonly #owned = new Set<KubeObject>();
  readonly #workloadOf = new Map<KubeObject, Workload>();
  /** Selector indexes by kind and namespace, built on first use (selectingPods, monitorsMatching). */
  readonly #selectorIndexes = new Map<
    string,
    Map<string, SelectorIndex<KubeObject>>
  >();
  /** Prometheus Operator monitors by the namespaces they select, built on first use. */
  readonly #monitors = new Map<
    string,
    { byNamespace: Map<string, number[]>; everywhere: number[] }
  >();

  constructor(snapshot: ClusterSnapshot, defer?: typeof DEFER) {
    this.cluster = snapshot.cluster;
    this.snapshot = snapshot;
    if (defer !== DEFER) runSteps(this.#build());
  }

  /** Builds the index in steps, yielding every few hundred objects (see steps.ts). */
  static *steps(snapshot: ClusterSnapshot): Steps<ClusterIndex> {
    const index = new ClusterIndex(snapshot, DEFER);
    yield* index.#build();
    return index;
  }

  *#build(): Steps<void> {
    // Indexed: a for-of in a generator allocates an iterator result per item.
    const objects = this.snapshot.objects;
    for (let i = 0; i < objects.length; i++) {
      this.#add(objects[i]);
      if ((i + 1) % STEP === 0) yield;
    }
    yield* this.#indexOwnership();
    yield* this.#order();
    yield* this.#indexBindings();
    this.#indexReports();
    yield;
    this.#indexHpas();
  }

  #add(obj: KubeObject) {
    const kind = obj.kind;
    let index = this.#kinds.get(kind);
    if (!index) {
      index = { all: [], byNamespace: new Map() };
      this.#kinds.set(kind, index);
    }
    index.all.push(obj);
    const ns = isClusterScoped(kind) ? '' : nsOf(obj);
    const inNs = index.byNamespace.get(ns);
    if (inNs) inNs.push(obj);
    else index.byNamespace.set(ns, [obj]);
  }

  /** All objects of a kind. */
  list(kind: string): KubeObject[] {
    return this.#kinds.get(kind)?.all ?? [];
  }

  /** Objects of a kind in a namespace. */
  inNamespace(kind: string, namespace: string): KubeObject[] {
    return this.#kinds.get(kind)?.byNamespace.get(namespace) ?? [];
  }

  /** Objects of a kind with a name, in every namespace. */
  withName(kind: string, name: string): KubeObject[] {
    const index = this.#kinds.get(kind);
    if (!index) return [];
    if (!index.byName) {
      index.byName = new Map();
      for (const obj of index.all) {
        const named = index.byName.get(obj.metadata.name);
        if (named) named.push(obj);
        else index.byName.set(obj.metadata.name, [obj]);
      }
    }
    return index.byName.get(name) ?? [];
  }

  /**
   * The NetworkPolicies, PodDisruptionBudgets or Services (`kind`) of a
   * namespace whose pod selector selects pods with these labels, in the
   * order of inNamespace(kind, namespace). Each namespace's selectors are
   * indexed on the first lookup (see SelectorIndex), so a lookup costs what
   * it returns plus the few selectors that require no label.
   */
  selectingPods(
    kind: PodSelectingKind,
    namespace: string,
    labels: Labels,
  ): KubeObject[] {
    return this.#selectorIndex(kind, namespace).matching(labels);
  }

  /**
   * The ServiceMonitors or PodMonitors (`kind`) that take in `namespace`
   * (see monitorsSelecting) and whose selector selects any of the label
   * sets (a pod's, or its Services'), in the order of monitorsSelecting,
   * each with the position of the first label set it selects. Indexed per
   * namespace on the first lookup (see SelectorIndex).
   */
  monitorsMatching(
    kind: 'ServiceMonitor' | 'PodMonitor',
    namespace: string,
    labelSets: Labels[],
  ): Array<{ monitor: KubeObject; selects: number }> {
    const index = this.#selectorIndex(kind, namespace);
    const first = new Map<number, number>();
    labelSets.forEach((labels, j) => {
      for (const i of index.positions(labels)) {
        if (!first.has(i)) first.set(i, j);
      }
    });
    const monitors = index.items;
    return [...first.keys()]
      .sort((a, b) => a - b)
      .map(i => ({ monitor: monitors[i], selects: first.get(i)! }));
  }

  /**
   * The selector index of a kind's objects in a namespace, built on first
   * use: a monitor kind's are the monitors that take in the namespace.
   */
  #selectorIndex(
    kind: keyof typeof SELECTORS,
    namespace: string,
  ): SelectorIndex<KubeObject> {
    let byNamespace = this.#selectorIndexes.get(kind);
    if (!byNamespace)
      this.#selectorIndexes.set(kind, (byNamespace = new Map()));
    let index = byNamespace.get(namespace);
    if (!index) {
      const items =
        kind === 'ServiceMonitor' || kind === 'PodMonitor'
          ? this.monitorsSelecting(kind, namespace)
          : this.inNamespace(kind, namespace);
      const { selectorOf, form } = SELECTORS[kind];
      index = new SelectorIndex(items, selectorOf, form);
      byNamespace.set(namespace, index);
    }
    return index;
  }

  has(kind: string): boolean {
    return (this.#kinds.get(kind)?.all.length ?? 0) > 0;
  }

  /**
   * The ServiceMonitors or PodMonitors (`kind`) whose namespaceSelector takes
   * in `namespace`, in the order of list(kind): `any: true` selects every
   * namespace, `matchNames` the ones listed, anything else the monitor's own.
   * Indexed once per kind, so a lookup costs what it returns plus the
   * monitors that select every namespace.
   */
  monitorsSelecting(kind: string, namespace: string): KubeObject[] {
    let index = this.#monitors.get(kind);
    if (!index) {
      index = { byNamespace: new Map(), everywhere: [] };
      const add = (ns: string, i: number) => {
        const list = index!.byNamespace.get(ns);
        if (!list) index!.byNamespace.set(ns, [i]);
        else if (list[list.length - 1] !== i) list.push(i);
      };
      this.list(kind).forEach((monitor, i) => {
        const sel = (monitor.spec as any)?.namespaceSelector;
        if (sel?.any === true) index!.everywhere.push(i);
        else if (sel && Array.isArray(sel.matchNames)) {
          for (const ns of sel.matchNames) {
            if (typeof ns === 'string') add(ns, i);
          }
        } else add(nsOf(monitor), i);
      });
      this.#monitors.set(kind, index);
    }
    const own = index.byNamespace.get(namespace) ?? [];
    const all = this.list(kind);
    if (index.everywhere.length === 0) return own.map(i => all[i]);
    return [...own, ...index.everywhere].sort((a, b) => a - b).map(i => all[i]);
  }

  get(
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const index = this.#kinds.get(kind);
    if (!index) return undefined;
    if (!index.byNamespaceAndName) {
      // The last of duplicates wins, as a later apply replaces an object.
      index.byNamespaceAndName = new Map();
      for (const [ns, objects] of index.byNamespace) {
        const byName = new Map<string, KubeObject>();
        for (const obj of objects) byName.set(obj.metadata.name, obj);
        index.byNamespaceAndName.set(ns, byName);
      }
    }
    const ns = isClusterScoped(kind) ? '' : namespace ?? 'default';
    return index.byNamespaceAndName.get(ns)?.get(name);
  }

  locationOf(obj: KubeObject): SourceLocation | undefined {
    return this.snapshot.locations?.get(obj);
  }

  /**
   * The workload that owns an object of a workload kind (itself for a
   * top-level workload); undefined for other kinds. Worked out when asked:
   * the index keeps only which objects are owned.
   */
  topOwnerOf(obj: KubeObject): KubeObject | undefined {
    return WORKLOAD_KINDS.has(obj.kind) ? this.#walkToTop(obj) : undefined;
  }

  /** Up the controller owners that exist in the state; bounded against cycles. */
  #walkToTop(obj: KubeObject): KubeObject {
    let top = obj;
    for (let depth = 0; depth < 5; depth++) {
      const owner = this.#ownerOf(top);
      if (!owner || owner === obj || !WORKLOAD_KINDS.has(owner.kind)) break;
      top = owner;
    }
    return top;
  }

  #ownerOf(obj: KubeObject): KubeObject | undefined {
    const refs = obj.metadata.ownerReferences;
    if (!Array.isArray(refs) || refs.length === 0) {
      return undefined;
    }
    let ref = refs[0];
    for (const r of refs) {
      if (r?.controller) {
        ref = r;
        break;
      }
    }
    if (!ref || typeof ref.kind !== 'string') {
      return undefined;
    }
    // The uid identifies the owner; the name is only a fallback. Where the
    // named owner has the uid (nearly always), no uid map is needed.
    const named = this.get(ref.kind, obj.metadata.namespace, ref.name);
    if (!ref.uid || named?.metadata.uid === ref.uid) return named;
    return this.#workloadsByUid().get(ref.uid) ?? named;
  }

  /** Only workloads are owners the index resolves by uid; the last of duplicates (in snapshot order) wins. */
  #workloadsByUid(): Map<string, KubeObject> {
    if (!this.#byUid) {
      this.#byUid = new Map();
      for (const obj of this.snapshot.objects) {
        if (obj.metadata.uid && WORKLOAD_KINDS.has(obj.kind)) {
          this.#byUid.set(obj.metadata.uid, obj);
        }
      }
    }
    return this.#byUid;
  }

  *#indexOwnership(): Steps<void> {
    const candidates: KubeObject[] = [];
    for (const kind of WORKLOAD_KINDS) {
      // One by one: spread into a call, a kind of 150,000 objects (the Pods
      // of a large cluster) overflows the stack.
      for (const obj of this.list(kind)) candidates.push(obj);
    }
    // Each candidate's top owner, at the candidate's position.
    const tops = new Array<KubeObject>(candidates.length);
    for (let i = 0; i < candidates.length; i++) {
      if ((i + 1) % STEP === 0) yield;
      tops[i] = this.#walkToTop(candidates[i]);
    }
    const ownedBy = new Map<KubeObject, KubeObject[]>();
    for (let i = 0; i < candidates.length; i++) {
      const top = tops[i];
      if (top === candidates[i]) continue;
      this.#owned.add(candidates[i]);
      const owned = ownedBy.get(top);
      if (owned) owned.push(candidates[i]);
      else ownedBy.set(top, [candidates[i]]);
    }
    yield;
    for (let i = 0; i < candidates.length; i++) {
      if ((i + 1) % STEP === 0) yield;
      const obj = candidates[i];
      if (tops[i] !== obj) continue;
      const template = podTemplateOf(obj);
      if (!template) continue;
      this.#workloadOf.set(obj, {
        cluster: this.cluster,
        object: obj,
        kind: obj.kind,
        namespace: nsOf(obj),
        name: obj.metadata.name,
        template,
        containers: containersOf(template),
        owned: ownedBy.get(obj) ?? [],
      });
    }
  }

  /** Objects (and workloads) in report order; see `ordered`. */
  *#order(): Steps<void> {
    for (const kind of [...this.#kinds.keys()].sort(compareStrings)) {
      const { byNamespace } = this.#kinds.get(kind)!;
      // Only objects of a workload kind can be owned or be workloads.
      const workloadKind = WORKLOAD_KINDS.has(kind);
      for (const ns of [...byNamespace.keys()].sort(compareStrings)) {
        let objects = byNamespace.get(ns)!;
        // Owned objects are left out before sorting: most Pods are owned,
        // and their generated names are the only ones not listed in order.
        if (workloadKind) objects = objects.filter(o => !this.#owned.has(o));
        objects = yield* sortInSteps(objects, byObjectName);
        for (let i = 0; i < objects.length; i++) {
          const obj = objects[i];
          this.ordered.push(obj);
          if (!workloadKind) continue;
          const workload = this.#workloadOf.get(obj);
          if (workload) this.workloads.push(workload);
        }
      }
    }
  }

  *#indexBindings(): Steps<void> {
    let n = 0;
    for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
      for (const binding of this.list(kind)) {
        if (++n % STEP === 0) yield;
        const seen = new Set<string>();
        for (const s of subjectsOf(binding)) {
          let k: string;
          if (s.kind === 'ServiceAccount') {
            // A RoleBinding's ServiceAccount subject defaults to the binding's namespace.
            k = `ServiceAccount/${
              s.namespace ?? binding.metadata.namespace ?? ''
            }/${s.name}`;
          } else {
            k = `${s.kind}//${s.name}`;
          }
          if (seen.has(k)) continue;
          seen.add(k);
          let list = this.#grantsBySubject.get(k);
          if (!list) {
            list = [];
            this.#grantsBySubject.set(k, list);
          }
          list.push({ binding, subject: s });
        }
        const ref = roleRefOf(binding);
        if (ref) {
          const k =
            ref.kind === 'ClusterRole'
              ? key('ClusterRole', '', ref.name)
              : key('Role', nsOf(binding), ref.name);
          let list = this.#bindingsByRole.get(k);
          if (!list) {
            list = [];
            this.#bindingsByRole.set(k, list);
          }
          list.push(binding);
        }
      }
    }
  }

  /**
   * Every binding that reaches a service account, with the subject through
   * which it does: the account itself, its user name
   * (`system:serviceaccount:<ns>:<name>`), and the groups every account is
   * in (`system:serviceaccounts`, `system:serviceaccounts:<ns>`,
   * `system:authenticated`), plus what anyone holds without credentials
   * (`system:unauthenticated`, `system:anonymous`).
   */
  grantsForServiceAccount(namespace: string, name: string): SubjectGrant[] {
    let inNamespace = this.#serviceAccountGrants.get(namespace);
    if (!inNamespace) {
      inNamespace = new Map();
      this.#serviceAccountGrants.set(namespace, inNamespace);
    }
    let grants = inNamespace.get(name);
    if (!grants) {
      grants = this.#grantsReaching(namespace, name);
      inNamespace.set(name, grants);
    }
    return grants;
  }

  #grantsReaching(namespace: string, name: string): SubjectGrant[] {
    const keys = [
      `ServiceAccount/${namespace}/${name}`,
      `User//system:serviceaccount:${namespace}:${name}`,
      'Group//system:serviceaccounts',
      `Group//system:serviceaccounts:${namespace}`,
      'Group//system:authenticated',
      'Group//system:unauthenticated',
      'User//system:anonymous',
    ];
    const out: SubjectGrant[] = [];
    const bindings = new Set<KubeObject>();
    for (const k of keys) {
      for (const g of this.#grantsBySubject.get(k) ?? []) {
        if (bindings.has(g.binding)) continue;
        bindings.add(g.binding);
        out.push(g);
      }
    }
    return out;
  }

  /** Bindings that apply to a service account, directly or through its groups. */
  bindingsForServiceAccount(namespace: string, name: string): KubeObject[] {
    return this.grantsForServiceAccount(namespace, name).map(g => g.binding);
  }

  /** The bindings in the state that refer to a role. */
  bindingsOfRole(role: KubeObject): KubeObject[] {
    const k =
      role.kind === 'ClusterRole'
        ? key('ClusterRole', '', role.metadata.name)
        : key('Role', nsOf(role), role.metadata.name);
    return this.#bindingsByRole.get(k) ?? [];
  }

  /** The Role or ClusterRole a binding refers to, if the state has it. */
  roleOf(binding: KubeObject): KubeObject | undefined {
    const ref = roleRefOf(binding);
    if (!ref) return undefined;
    if (ref.kind === 'ClusterRole') {
      return this.get('ClusterRole', undefined, ref.name);
    }
    return this.get('Role', binding.metadata.namespace, ref.name);
  }

  /**
   * The rules a binding grants: its role's rules, aggregated ClusterRoles
   * resolved, and Kubernetes' default roles when the state lacks them (with
   * the custom roles the state aggregates into them).
   */
  rulesOfBinding(binding: KubeObject): PolicyRule[] {
    const ref = roleRefOf(binding);
    if (!ref) return [];
    const role = this.roleOf(binding);
    if (role) return this.rulesOfRole(role);
    if (ref.kind !== 'ClusterRole') return [];
    const defaults = DEFAULT_CLUSTER_ROLE_RULES[ref.name] ?? [];
    const label = DEFAULT_AGGREGATION_LABELS[ref.name];
    if (!label) return defaults;
    const aggregated = this.#aggregate(
      `default:${ref.name}`,
      [{ matchLabels: { [label]: 'true' } }],
      undefined,
      new Set(),
    );
    return aggregated.length ? [...defaults, ...aggregated] : defaults;
  }

  rulesOfRole(role: KubeObject): PolicyRule[] {
    // Asked for by every RBAC check, of the role and of each binding to it.
    let rules = this.#rulesByRole.get(role);
    if (!rules) {
      rules = this.#rulesOfRole(role, new Set());
      this.#rulesByRole.set(role, rules);
    }
    return rules;
  }

  #rulesOfRole(role: KubeObject, visiting: Set<KubeObject>): PolicyRule[] {
    const own = rulesOf(role);
    const aggregation = role.aggregationRule as
      | { clusterRoleSelectors?: unknown[] }
      | undefined;
    if (role.kind !== 'ClusterRole' || !aggregation) return own;
    const selectors = Array.isArray(aggregation.clusterRoleSelectors)
      ? aggregation.clusterRoleSelectors
      : [];
    const aggregated = this.#aggregate(
      role.metadata.name,
      selectors,
      role,
      visiting,
    );
    // A live cluster's controller has already copied the aggregated rules
    // into `rules`; a manifest usually leaves them empty. Both are the union.
    const seen = new Set(own.map(r => JSON.stringify(r)));
    return [...own, ...aggregated.filter(r => !seen.has(JSON.stringify(r)))];
  }

  /** The rules of every ClusterRole a set of selectors matches, aggregations resolved, cycles cut. */
  #aggregate(
    cacheKey: string,
    selectors: unknown[],
    self: KubeObject | undefined,
    visiting: Set<KubeObject>,
  ): PolicyRule[] {
    const cached = this.#aggregatedRules.get(cacheKey);
    if (cached) return cached;
    if (self) visiting.add(self);
    const rules: PolicyRule[] = [];
    for (const other of this.list('ClusterRole')) {
      if (other === self || visiting.has(other)) continue;
      if (
        selectors.some(sel =>
          selectorMatches(sel as any, other.metadata.labels),
        )
      ) {
        for (const rule of this.#rulesOfRole(other, visiting)) rules.push(rule);
      }
    }
    if (self) visiting.delete(self);
    this.#aggregatedRules.set(cacheKey, rules);
    return rules;
  }

  #indexReports() {
    for (const report of this.list('VulnerabilityReport')) {
      const labels = report.metadata.labels ?? {};
      const kind = labels['trivy-operator.resource.kind'];
      const name = labels['trivy-operator.resource.name'];
      if (!kind || !name) continue;
      const ns =
        labels['trivy-operator.resource.namespace'] ??
        report.metadata.namespace;
      this.#vulnReports.add(kind, ns ?? '', name, report);
    }
    for (const kind of ['PolicyReport', 'ClusterPolicyReport']) {
      for (const report of this.list(kind)) {
        const scope = report.scope as
          | { kind?: string; name?: string; namespace?: string }
          | undefined;
        const results = Array.isArray(report.results) ? report.results : [];
        for (const result of results) {
          if (!result || typeof result !== 'object') continue;
          const targets: Array<{
            kind?: string;
            name?: string;
            namespace?: string;
          }> = [];
          if (Array.isArray(result.resources) && result.resources.length > 0) {
            for (const r of result.resources) targets.push(r);
          } else if (scope) {
            targets.push(scope);
          }
          for (const t of targets) {
            if (!t?.kind || !t?.name) continue;
            const ns = isClusterScoped(t.kind)
              ? ''
              : t.namespace ?? report.metadata.namespace;
            this.#policyResults.add(t.kind, ns ?? '', t.name, {
              report,
              result,
            });
          }
        }
      }
    }
  }

  vulnerabilityReportsFor(obj: KubeObject): KubeObject[] {
    return this.#vulnReports.get(
      obj.kind,
      obj.metadata.namespace ?? '',
      obj.metadata.name,
    );
  }

  policyResultsFor(obj: KubeObject): PolicyReportEntry[] {
    const ns = isClusterScoped(obj.kind) ? '' : nsOf(obj);
    return this.#policyResults.get(obj.kind, ns, obj.metadata.name);
  }

  #indexHpas() {
    for (const hpa of this.list('HorizontalPodAutoscaler')) {
      const target = (hpa.spec as any)?.scaleTargetRef;
      if (target?.kind && target?.name) {
        this.#hpaByTarget.add(target.kind, nsOf(hpa), target.name, hpa);
      }
    }
  }

  hpaFor(workload: Workload): KubeObject | undefined {
    // Of several that target it, the last.
    const hpas = this.#hpaByTarget.get(
      workload.kind,
      workload.namespace,
      workload.name,
    );
    return hpas[hpas.length - 1];
  }
}
