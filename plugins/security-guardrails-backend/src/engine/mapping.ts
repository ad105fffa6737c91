/*
 * Which catalog entity owns a Kubernetes object, by the conventions of the
 * Backstage Kubernetes plugin:
 * - `backstage.io/kubernetes-id: <id>` on the entity, and the label
 *   `backstage.io/kubernetes-id=<id>` on the objects;
 * - `backstage.io/kubernetes-label-selector: <selector>` on the entity;
 * - `backstage.io/kubernetes-namespace: <ns>` restricts both to a namespace.
 */
import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_ID_LABEL,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
} from '@internal/backstage-plugin-security-guardrails-common';
import {
  LabelSelectorRequirement,
  parseSelectorString,
  requirementsMatch,
} from './selectors';
import { EntityInfo } from '@internal/backstage-plugin-security-guardrails-node';

interface SelectorEntity {
  entity: EntityInfo;
  requirements: LabelSelectorRequirement[];
  namespace?: string;
}

export interface MappingProblem {
  entityRef: string;
  message: string;
}

/** Whether the entity declares any mapping to Kubernetes objects. */
export function hasKubernetesMapping(
  annotations: Record<string, string>,
): boolean {
  return Boolean(
    annotations[KUBERNETES_ID_ANNOTATION]?.trim() ||
      annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim(),
  );
}

export class EntityMapper {
  readonly problems: MappingProblem[] = [];
  readonly #byId = new Map<
    string,
    Array<{ entity: EntityInfo; namespace?: string }>
  >();
  /** Selector entities indexed by one of their `key=value` requirements: key, then value. */
  readonly #bySelectorPair = new Map<string, Map<string, SelectorEntity[]>>();
  /** Selector entities without an equality requirement: checked against every object. */
  readonly #unindexed: SelectorEntity[] = [];

  constructor(entities: EntityInfo[]) {
    for (const entity of entities) {
      const a = entity.annotations;
      const namespace = a[KUBERNETES_NAMESPACE_ANNOTATION]?.trim() || undefined;
      const id = a[KUBERNETES_ID_ANNOTATION]?.trim();
      if (id) {
        const list = this.#byId.get(id) ?? [];
        list.push({ entity, namespace });
        this.#byId.set(id, list);
      }
      const selector = a[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim();
      if (selector) {
        let requirements: LabelSelectorRequirement[];
        try {
          requirements = parseSelectorString(selector);
        } catch (e) {
          this.problems.push({
            entityRef: entity.ref,
            message: `${KUBERNETES_LABEL_SELECTOR_ANNOTATION}: ${
              (e as Error).message
            }`,
          });
          continue;
        }
        if (requirements.length === 0) {
          this.problems.push({
            entityRef: entity.ref,
            message: `${KUBERNETES_LABEL_SELECTOR_ANNOTATION} is empty and would select everything; ignored`,
          });
          continue;
        }
        const se = { entity, requirements, namespace };
        const eq = requirements.find(
          r => r.operator === 'In' && r.values?.length === 1,
        );
        if (eq) {
          let byValue = this.#bySelectorPair.get(eq.key);
          if (!byValue) {
            byValue = new Map();
            this.#bySelectorPair.set(eq.key, byValue);
          }
          const list = byValue.get(eq.values![0]);
          if (list) list.push(se);
          else byValue.set(eq.values![0], [se]);
        } else {
          this.#unindexed.push(se);
        }
      }
    }
  }

  /**
   * Entity refs owning an object with these labels in this namespace, each
   * once and sorted. A workload gives two label sets: its own labels and its
   * pod template's.
   */
  entitiesFor(
    namespace: string | undefined,
    labels: Record<string, string> | undefined,
    podLabels?: Record<string, string> | undefined,
  ): string[] {
    // Called for every object: no key strings and no closures; a ref found
    // twice is dropped after sorting, so however many entities select an
    // object, the cost is that of sorting them.
    const out: string[] = [];
    if (labels) this.#collect(namespace, labels, out);
    if (podLabels) this.#collect(namespace, podLabels, out);
    if (out.length < 2) return out;
    // A workload's two label sets usually name the same one entity.
    if (out.length === 2) {
      if (out[0] === out[1]) out.length = 1;
      else if (out[0] > out[1]) out.reverse();
      return out;
    }
    out.sort();
    let kept = 1;
    for (let i = 1; i < out.length; i++) {
      if (out[i] !== out[kept - 1]) out[kept++] = out[i];
    }
    out.length = kept;
    return out;
  }

  /** Adds the refs of the entities selecting one label set to `out`, duplicates and all. */
  #collect(
    namespace: string | undefined,
    labels: Record<string, string>,
    out: string[],
  ) {
    const id = labels[KUBERNETES_ID_LABEL];
    if (id) {
      const byId = this.#byId.get(id);
      if (byId) {
        for (const { entity, namespace: ns } of byId) {
          if (!ns || ns === namespace) out.push(entity.ref);
        }
      }
    }
    if (this.#bySelectorPair.size > 0) {
      for (const key in labels) {
        if (!Object.prototype.hasOwnProperty.call(labels, key)) continue;
        const candidates = this.#bySelectorPair
          .get(key)
          ?.get(String(labels[key]));
        if (!candidates) continue;
        for (const se of candidates) {
          if (selects(se, namespace, labels)) out.push(se.entity.ref);
        }
      }
    }
    for (const se of this.#unindexed) {
      if (selects(se, namespace, labels)) out.push(se.entity.ref);
    }
  }
}

function selects(
  se: SelectorEntity,
  namespace: string | undefined,
  labels: Record<string, string>,
): boolean {
  if (se.namespace && se.namespace !== namespace) return false;
  return requirementsMatch(se.requirements, labels);
}
