/*
 * ClusterState -> index -> checks -> results, mapped to entities. One pass
 * over each cluster's objects; every lookup goes through the ClusterIndex.
 *
 * Over 400 lines on purpose: the evaluation pipeline, in the order it runs.
 */
import {
  BINDING_EXPIRY_ANNOTATIONS,
  ClusterDataStatus,
  compareStrings,
  GRANT_ANNOTATIONS,
  ONCALL_ANNOTATIONS,
} from '@internal/backstage-plugin-security-guardrails-common';
import {
  Check,
  CheckContext,
  CheckResult,
  CheckSettings,
  ClusterState,
  EntityInfo,
  ExemptionInfo,
  Finding,
  KubeObject,
  ResourceRef,
  Workload,
} from '@internal/backstage-plugin-security-guardrails-node';
import { BUILTIN_CHECKS } from './checks';
import { ClusterIndex, WORKLOAD_KINDS } from './clusterIndex';
import { isClusterScoped } from './kinds';
import {
  annotationExemptions,
  ExemptionMatcher,
  ExemptionRule,
} from './exemptions';
import { EntityMapper, MappingProblem } from './mapping';
import { ManagedGrant, ManagedGrants } from './managedGrants';
import { runSteps, runStepsInSlices, sortInSteps, STEP, Steps } from './steps';

export interface EvaluateOptions {
  /** The checks to run; the built-in catalogue by default. */
  checks?: Check[];
  /** Catalog entities: mapping targets and subjects of catalog checks. */
  entities?: EntityInfo[];
  settings?: CheckSettings;
  exemptions?: ExemptionRule[];
  /** Honour `security-guardrails.io/exempt-*` workload annotations (default true). */
  annotationExemptions?: boolean;
  disabledChecks?: string[];
  /** Evaluate only what maps to these entities (one service's refresh); the index is still built whole. */
  onlyEntities?: ReadonlySet<string>;
  /** Active temporary grants: their RoleBindings are shown, not graded. */
  managedGrants?: ManagedGrant[];
  now?: Date;
}

export interface EvaluationError {
  message: string;
  cluster?: string;
  checkId?: string;
  resource?: string;
  file?: string;
  line?: number;
  kind?: string;
}

export interface EntityEvaluation {
  entityRef: string;
  results: CheckResult[];
  /** Clusters where objects of the entity were found. */
  clusters: string[];
  /** Whether any cluster object maps to the entity. */
  mapped: boolean;
}

export interface Evaluation {
  evaluatedAt: string;
  /** In report order: check id, cluster, kind, namespace, name, container (see ResultsByCheck). */
  results: CheckResult[];
  entities: Map<string, EntityEvaluation>;
  /** Results about objects that map to no entity. */
  unowned: CheckResult[];
  clusters: ClusterDataStatus[];
  errors: EvaluationError[];
  /** What the readers decided on the user's behalf, per cluster. */
  notices: Array<{ cluster: string; message: string }>;
  mappingProblems: MappingProblem[];
  stats: { objects: number; workloads: number; results: number };
}

export const DEFAULT_SETTINGS = {
  allowedRegistries: [] as string[],
  requireCpuLimits: false,
  kubernetesVersion: '1.31',
  oncallAnnotations: ONCALL_ANNOTATIONS,
  expiryAnnotations: BINDING_EXPIRY_ANNOTATIONS,
  powerfulRoles: ['cluster-admin', 'admin', 'edit'],
};

function resolveSettings(
  settings: CheckSettings | undefined,
): CheckContext['settings'] {
  return {
    allowedRegistries:
      settings?.allowedRegistries ?? DEFAULT_SETTINGS.allowedRegistries,
    requireCpuLimits:
      settings?.requireCpuLimits ?? DEFAULT_SETTINGS.requireCpuLimits,
    kubernetesVersion:
      settings?.kubernetesVersion ?? DEFAULT_SETTINGS.kubernetesVersion,
    oncallAnnotations: settings?.oncallAnnotations?.length
      ? settings.oncallAnnotations
      : DEFAULT_SETTINGS.oncallAnnotations,
    expiryAnnotations: settings?.expiryAnnotations?.length
      ? settings.expiryAnnotations
      : DEFAULT_SETTINGS.expiryAnnotations,
    powerfulRoles: settings?.powerfulRoles?.length
      ? settings.powerfulRoles
      : DEFAULT_SETTINGS.powerfulRoles,
    knownGroups: settings?.knownGroups,
  };
}

/**
 * A cluster object as its results name it, written out as cluster,
 * apiVersion, kind, name and (for namespaced kinds) namespace. Every field
 * in place from the start (`namespace` undefined for cluster-scoped kinds, so
 * not written): added afterwards, it gave every namespaced object's
 * reference a second store of its own. Made by `new` for the reason
 * RecordedResult is: the results keep it to the end.
 */
class ObjectRef implements ResourceRef {
  cluster: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;

  constructor(cluster: string, obj: KubeObject) {
    this.cluster = cluster;
    this.apiVersion = obj.apiVersion;
    this.kind = obj.kind;
    this.name = obj.metadata.name;
    this.namespace = isClusterScoped(obj.kind)
      ? undefined
      : obj.metadata.namespace ?? 'default';
  }
}

/** A resource as errors name it: kind/namespace/name. */
function resourceText(resource: ResourceRef): string {
  return `${resource.kind}/${resource.namespace ?? ''}/${resource.name}`;
}

function entityResourceRef(entity: EntityInfo): ResourceRef {
  return {
    cluster: 'catalog',
    apiVersion: 'backstage.io/v1alpha1',
    kind: entity.kind,
    namespace: entity.namespace,
    name: entity.name,
  };
}

/**
 * One copy of each distinct string: a check's field paths repeat for every
 * workload (840,000 results at 10,000 services carry about 60 distinct ones).
 */
class StringPool {
  readonly #pool = new Map<string, string>();

  intern(s: string): string {
    const held = this.#pool.get(s);
    if (held !== undefined) return held;
    this.#pool.set(s, s);
    return s;
  }
}

/**
 * One check's results in the order found, each with its subject's number.
 * A check says the same thing over and over, one workload after another
 * (the same field path, often the same message and observed value): each
 * result takes the copy the previous one kept when the text is equal, so the
 * results hold one copy of a run of equal strings, not one each (at 10,000
 * services, 27 MB less kept for messages and observed values).
 */
class CheckResults {
  readonly results: CheckResult[] = [];
  readonly subjects: number[] = [];
  #lastField: string | undefined = undefined;
  #lastPooledField: string | undefined = undefined;
  #lastMessage = '';
  #lastObserved: string | undefined = undefined;

  add(result: CheckResult, subject: number) {
    this.results.push(result);
    this.subjects.push(subject);
  }

  /** The field path's one copy in `pool`, found without hashing the path when it repeats the last. */
  field(path: string | undefined, pool: StringPool): string | undefined {
    if (path === undefined) return undefined;
    if (path !== this.#lastField) {
      this.#lastField = path;
      this.#lastPooledField = pool.intern(path);
    }
    return this.#lastPooledField;
  }

  /** The message, as the last result's copy when it is the same text. */
  message(text: string): string {
    if (text !== this.#lastMessage) this.#lastMessage = text;
    return this.#lastMessage;
  }

  /** The observed value, as the last result's copy when it is the same text. */
  observed(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    if (value !== this.#lastObserved) this.#lastObserved = value;
    return this.#lastObserved;
  }
}

/**
 * Results by check, each check's in the order they were found, each with the
 * subject (object or entity) it is about, whose owners are kept once.
 * Concatenated in the order of check ids, they are in report order: check
 * id, then cluster (in the order the clusters are given), kind, namespace and
 * name of the object examined, then container (in pod spec order).
 */
class ResultsByCheck {
  readonly #byCheck = new Map<string, CheckResults>();
  /** The entities owning each subject, by subject number. */
  readonly #owners: string[][] = [];

  /** Numbers the next subject, owned by these entities (none: unowned). */
  subject(owners: string[]): number {
    this.#owners.push(owners);
    return this.#owners.length - 1;
  }

  /** The entities owning a numbered subject. */
  ownersOf(subject: number): string[] {
    return this.#owners[subject];
  }

  /** The results of one check, to add to. */
  of(checkId: string): CheckResults {
    let lists = this.#byCheck.get(checkId);
    if (!lists) {
      lists = new CheckResults();
      this.#byCheck.set(checkId, lists);
    }
    return lists;
  }

  /**
   * Every result in report order, with its subject's number at the same
   * index and each subject's owners; the lists are emptied.
   */
  *drain(): Steps<{
    results: CheckResult[];
    subjects: Int32Array;
    owners: string[][];
  }> {
    let size = 0;
    for (const lists of this.#byCheck.values()) size += lists.results.length;
    const results = new Array<CheckResult>(size);
    const subjects = new Int32Array(size);
    let i = 0;
    for (const id of [...this.#byCheck.keys()].sort(compareStrings)) {
      const lists = this.#byCheck.get(id)!;
      for (let j = 0; j < lists.results.length; j++) {
        results[i] = lists.results[j];
        subjects[i] = lists.subjects[j];
        if (++i % STEP === 0) yield;
      }
      this.#byCheck.delete(id);
    }
    return { results, subjects, owners: this.#owners };
  }
}

/**
 * A check's result as recorded: the fields of CheckResult in their order
 * (the order they are written out in), every one in place.
 *
 * Made by a constructor, not an object literal, on purpose. Nearly every
 * result lives to the end of the evaluation, so V8 pretenures the objects of
 * a literal's allocation site: they are made in the old generation, where
 * storing a young value (the resource, message and observed value just made)
 * costs a write barrier each. Objects made by `new` are not pretenured. At
 * 10,000 services (841,734 results), six alternating pairs of the bench's
 * `evaluate`: evaluation after the read 3,859-4,603 ms (median 3,992) with the
 * literal, 3,483-4,471 ms (median 3,653) with this.
 */
class RecordedResult implements CheckResult {
  checkId: string;
  status: CheckResult['status'];
  severity: CheckResult['severity'];
  domain: CheckResult['domain'];
  resource: ResourceRef;
  message: string;
  container: string | undefined;
  field: string | undefined;
  observed: string | undefined;
  source: { file: string; line: number } | undefined;
  exemption: ExemptionInfo | undefined;

  constructor(
    checkId: string,
    status: CheckResult['status'],
    severity: CheckResult['severity'],
    domain: CheckResult['domain'],
    resource: ResourceRef,
    message: string,
    container: string | undefined,
    field: string | undefined,
    observed: string | undefined,
    source: { file: string; line: number } | undefined,
  ) {
    this.checkId = checkId;
    this.status = status;
    this.severity = severity;
    this.domain = domain;
    this.resource = resource;
    this.message = message;
    this.container = container;
    this.field = field;
    this.observed = observed;
    this.source = source;
    this.exemption = undefined;
  }
}

/** How each kind of check is applied to its subject (see `run`). */
const onWorkload = (check: Check, w: Workload, ctx: CheckContext) =>
  check.workload!(w, ctx);
const onObject = (check: Check, obj: KubeObject, ctx: CheckContext) =>
  check.object!(obj, ctx);
const onEntity = (check: Check, entity: EntityInfo, ctx: CheckContext) =>
  check.entity!(entity, ctx);

/** Evaluates straight through: the CLI and tests. */
export function evaluate(
  state: ClusterState,
  options: EvaluateOptions = {},
): Evaluation {
  return runSteps(evaluationSteps(state, options));
}

/**
 * The same evaluation in time slices of `sliceMs`, giving the event loop back
 * between them: the backend, where the sweep and the API keep answering.
 */
export function evaluateInSlices(
  state: ClusterState,
  options: EvaluateOptions = {},
  sliceMs?: number,
): Promise<Evaluation> {
  return runStepsInSlices(evaluationSteps(state, options), sliceMs);
}

export function* evaluationSteps(
  state: ClusterState,
  options: EvaluateOptions = {},
): Steps<Evaluation> {
  const now = options.now ?? new Date();
  const disabled = new Set(options.disabledChecks ?? []);
  const checks = (options.checks ?? BUILTIN_CHECKS).filter(
    c => !disabled.has(c.meta.id),
  );
  const settings = resolveSettings(options.settings);
  const honourAnnotations = options.annotationExemptions ?? true;
  const entities = options.entities ?? [];
  const mapper = new EntityMapper(entities);
  const exemptions = new ExemptionMatcher(options.exemptions ?? [], now);
  const only = options.onlyEntities;
  const managed = new ManagedGrants(options.managedGrants ?? [], now);
  const temporaryCheck = checks.find(
    c => c.meta.id === 'maint.standing-privilege',
  );
  const wanted = (refs: string[]) => !only || refs.some(r => only.has(r));

  const workloadChecks = checks.filter(c => c.workload);
  const objectChecksByKind = new Map<string, Check[]>();
  const anyKindChecks: Check[] = [];
  for (const c of checks) {
    if (!c.object) continue;
    for (const kind of c.objectKinds ?? []) {
      if (kind === '*') {
        anyKindChecks.push(c);
      } else {
        const list = objectChecksByKind.get(kind) ?? [];
        list.push(c);
        objectChecksByKind.set(kind, list);
      }
    }
  }
  const entityChecks = checks.filter(c => c.entity);

  const found = new ResultsByCheck();
  /** The result list of each check of `list`, in its order. */
  const listsOf = (list: Check[]) => list.map(c => found.of(c.meta.id));
  /** The object checks for a kind (its own, then those for every kind) and their result lists. */
  const checksByKind = new Map<
    string,
    { checks: Check[]; lists: CheckResults[] }
  >();
  const checksOfKind = (kind: string) => {
    let forKind = checksByKind.get(kind);
    if (!forKind) {
      const list = [...(objectChecksByKind.get(kind) ?? []), ...anyKindChecks];
      forKind = { checks: list, lists: listsOf(list) };
      checksByKind.set(kind, forKind);
    }
    return forKind;
  };
  const workloadLists = listsOf(workloadChecks);
  const entityLists = listsOf(entityChecks);
  const entityClusters = new Map<string, Set<string>>();
  const errors: EvaluationError[] = [];
  const notices: Evaluation['notices'] = [];
  const clusters: ClusterDataStatus[] = [];
  let objectCount = 0;
  let workloadCount = 0;

  const fields = new StringPool();
  const record = (
    check: Check,
    into: CheckResults,
    findings: Finding[],
    resource: ResourceRef,
    subject: number,
    location: { file: string; line: number } | undefined,
    exemptByAnnotation: ReturnType<typeof annotationExemptions>,
  ) => {
    if (findings.length === 0) return;
    // Read once a call: every check is an object of its own shape.
    const { id: checkId, severity, domain } = check.meta;
    for (const f of findings) {
      const result: CheckResult = new RecordedResult(
        checkId,
        f.status,
        f.severity ?? severity,
        domain,
        f.resource ? { cluster: resource.cluster, ...f.resource } : resource,
        into.message(f.message),
        f.container,
        into.field(f.field, fields),
        into.observed(f.observed),
        location,
      );
      if (result.status === 'fail' || result.status === 'warn') {
        const ann = exemptByAnnotation?.get(checkId);
        if (ann) {
          if (
            ann.expiresAt &&
            ann.reason &&
            ann.expiresAt.getTime() > now.getTime()
          ) {
            result.status = 'exempt';
            result.exemption = {
              source: 'annotation',
              reason: ann.reason,
              expiresAt: ann.expiresAt.toISOString(),
            };
          } else if (!ann.expiresAt || !ann.reason) {
            errors.push({
              cluster: resource.cluster,
              checkId,
              resource: resourceText(resource),
              message: `exemption annotation ignored: it must read "<YYYY-MM-DD> <reason>", got "${ann.raw.slice(
                0,
                80,
              )}"`,
            });
          }
        }
        if (result.status !== 'exempt') {
          const exemption = exemptions.match(result, found.ownersOf(subject));
          if (exemption) {
            result.status = 'exempt';
            result.exemption = exemption;
          }
        }
      }
      into.add(result, subject);
    }
  };

  /**
   * A check's findings on one subject; a check that throws is an error and
   * finds nothing. `apply` is one of the module's appliers, so running a
   * check makes no closure.
   */
  const run = <S>(
    check: Check,
    apply: (check: Check, subject: S, ctx: CheckContext) => Finding[],
    subject: S,
    checkCtx: CheckContext,
    resource: ResourceRef,
  ): Finding[] => {
    try {
      return apply(check, subject, checkCtx);
    } catch (e) {
      errors.push({
        cluster: resource.cluster,
        checkId: check.meta.id,
        resource: resourceText(resource),
        message: `check failed: ${(e as Error)?.message ?? String(e)}`,
      });
      return [];
    }
  };

  for (const snapshot of state.clusters) {
    clusters.push({
      cluster: snapshot.cluster,
      readAt: snapshot.readAt,
      status: snapshot.status,
      ...(snapshot.notices?.length ? { notices: [...snapshot.notices] } : {}),
      ...(snapshot.errors.length
        ? {
            message: snapshot.errors
              .slice(0, 3)
              .map(e => e.message)
              .join('; '),
          }
        : {}),
    });
    for (const e of snapshot.errors) {
      errors.push({ cluster: snapshot.cluster, ...e });
    }
    for (const message of snapshot.notices ?? []) {
      notices.push({ cluster: snapshot.cluster, message });
    }
    const index: ClusterIndex = yield* ClusterIndex.steps(snapshot);
    const ctx: CheckContext = { index, settings, now };
    objectCount += snapshot.objects.length;

    const noteEntities = (refs: string[]) => {
      for (const ref of refs) {
        let set = entityClusters.get(ref);
        if (!set) {
          set = new Set();
          entityClusters.set(ref, set);
        }
        set.add(snapshot.cluster);
      }
    };

    // One pass in the index's report order (kind, namespace, name): each
    // check's results come out in that order, so none are sorted. The
    // workloads are in the same order, so the next one is the only one the
    // object can be; and the objects come grouped by kind, so what depends
    // on the kind is looked up once per kind.
    let n = 0;
    let nextWorkload = 0;
    let kind: string | undefined;
    let objectChecks: Check[] = [];
    let objectLists: CheckResults[] = [];
    let controllerKind = false;
    // Indexed loops here and below: a for-of in a generator allocates an
    // iterator result per item (a million at 10,000 services).
    const ordered = index.ordered;
    for (let o = 0; o < ordered.length; o++) {
      const obj = ordered[o];
      let w: Workload | undefined = index.workloads[nextWorkload];
      if (w?.object === obj) nextWorkload++;
      else w = undefined;
      if (obj.kind !== kind) {
        kind = obj.kind;
        ({ checks: objectChecks, lists: objectLists } = checksOfKind(kind));
        controllerKind = WORKLOAD_KINDS.has(kind);
      }
      // A workload's checks are a step; other objects, 64 to a step.
      if (w || ++n % 64 === 0) yield;
      if (w) {
        workloadCount++;
        const resource = new ObjectRef(snapshot.cluster, w.object);
        const refs = mapper.entitiesFor(
          w.namespace,
          w.object.metadata.labels,
          w.template.metadata.labels,
        );
        if (wanted(refs)) {
          noteEntities(refs);
          const location = index.locationOf(w.object);
          const ann = honourAnnotations
            ? annotationExemptions(w.object)
            : undefined;
          const subject = found.subject(refs);
          for (let c = 0; c < workloadChecks.length; c++) {
            const check = workloadChecks[c];
            const findings = run(check, onWorkload, w, ctx, resource);
            const into = workloadLists[c];
            record(check, into, findings, resource, subject, location, ann);
          }
        }
      }
      // Owned ReplicaSets, Jobs and Pods are not in `ordered`: findings are
      // keyed by the owning controller.
      if (objectChecks.length === 0) continue;
      const resource = new ObjectRef(snapshot.cluster, obj);
      const refs = mapper.entitiesFor(
        obj.metadata.namespace,
        obj.metadata.labels,
      );
      if (!wanted(refs)) continue;
      const location = index.locationOf(obj);
      const temporary = managed.match(snapshot.cluster, obj);
      if (temporary) {
        noteEntities(refs);
        if (!temporaryCheck) continue;
        const result: CheckResult = {
          checkId: temporaryCheck.meta.id,
          status: 'not-applicable',
          severity: temporaryCheck.meta.severity,
          domain: temporaryCheck.meta.domain,
          resource,
          field: `metadata.annotations[${GRANT_ANNOTATIONS.expiresAt}]`,
          observed: temporary.expiresAt,
          message: `Temporary access granted through Security Guardrails (request ${
            temporary.grantId
          }): ${temporary.subjects.join(', ')} holds ClusterRole ${
            temporary.clusterRole
          } until ${
            temporary.expiresAt
          }, when it is revoked. Active grants are shown, not graded.`,
          temporaryAccess: temporary,
        };
        if (location) result.source = location;
        found.of(result.checkId).add(result, found.subject(refs));
        continue;
      }
      const ann = honourAnnotations ? annotationExemptions(obj) : undefined;
      let mapped = false;
      const subject = found.subject(refs);
      for (let c = 0; c < objectChecks.length; c++) {
        const check = objectChecks[c];
        const findings = run(check, onObject, obj, ctx, resource);
        if (findings.length) mapped = true;
        const into = objectLists[c];
        record(check, into, findings, resource, subject, location, ann);
      }
      if (mapped || controllerKind) noteEntities(refs);
    }
  }

  const entityResults = new Map<string, CheckResult[]>();
  const catalogCtx: CheckContext = {
    index: new ClusterIndex({
      cluster: 'catalog',
      readAt: null,
      status: 'ok',
      objects: [],
      errors: [],
    }),
    settings,
    now,
  };
  const evaluated = entities.filter(e => !only || only.has(e.ref));
  for (const entity of evaluated) entityResults.set(entity.ref, []);
  // In report order, as the cluster objects are.
  const inOrder = yield* sortInSteps(
    evaluated,
    (a, b) =>
      compareStrings(a.kind, b.kind) ||
      compareStrings(a.namespace, b.namespace) ||
      compareStrings(a.name, b.name),
  );
  for (const entity of inOrder) {
    yield;
    const resource = entityResourceRef(entity);
    const subject = found.subject([entity.ref]);
    for (let c = 0; c < entityChecks.length; c++) {
      const check = entityChecks[c];
      const findings = run(check, onEntity, entity, catalogCtx, resource);
      const into = entityLists[c];
      record(check, into, findings, resource, subject, undefined, undefined);
    }
  }

  const { results, subjects, owners } = yield* found.drain();

  // Each result goes to the lists of its subject's owners (or to the unowned),
  // worked out once per subject rather than once per result.
  const unowned: CheckResult[] = [];
  const targets = new Array<CheckResult[][] | undefined>(owners.length);
  const targetsOf = (subject: number): CheckResult[][] => {
    const refs = owners[subject];
    if (refs.length === 0) return [unowned];
    const lists: CheckResult[][] = [];
    for (const ref of refs) {
      if (only && !only.has(ref)) continue;
      let list = entityResults.get(ref);
      if (!list) {
        list = [];
        entityResults.set(ref, list);
      }
      lists.push(list);
    }
    return lists;
  };
  for (let i = 0; i < results.length; i++) {
    if (i % STEP === 0) yield;
    const subject = subjects[i];
    let lists = targets[subject];
    if (lists === undefined) {
      lists = targetsOf(subject);
      targets[subject] = lists;
    }
    for (let k = 0; k < lists.length; k++) lists[k].push(results[i]);
  }

  const entityMap = new Map<string, EntityEvaluation>();
  for (const [ref, list] of entityResults) {
    const clusterSet = entityClusters.get(ref);
    entityMap.set(ref, {
      entityRef: ref,
      results: list,
      clusters: clusterSet ? [...clusterSet].sort() : [],
      mapped: !!clusterSet && clusterSet.size > 0,
    });
  }

  return {
    evaluatedAt: now.toISOString(),
    results,
    entities: entityMap,
    unowned,
    clusters,
    errors,
    notices,
    mappingProblems: mapper.problems,
    stats: {
      objects: objectCount,
      workloads: workloadCount,
      results: results.length,
    },
  };
}
