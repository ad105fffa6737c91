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
   * Entity refs owning an object with these labels in this namespace. Several
   * label sets can be given (a workload's own labels and its pod template's).
   */
  entitiesFor(
    namespace: string | undefined,
    ...labelSets: Array<Record<string, string> | undefined>
  ): string[] {
    // Called for every object: no key strings, and a plain array for the
    // one or two entities an object usually has.
    const out: string[] = [];
    let seen: Set<string> | undefined;
    const add = (ref: string) => {
      if (seen ? seen.has(ref) : out.includes(ref)) return;
      out.push(ref);
      seen?.add(ref);
      // Past a few, a set: linear however many entities select an object.
      if (!seen && out.length > 8) seen = new Set(out);
    };
    const consider = (se: SelectorEntity, labels: Record<string, string>) => {
      if (se.namespace && se.namespace !== namespace) return;
      if (requirementsMatch(se.requirements, labels)) add(se.entity.ref);
    };
    for (const labels of labelSets) {
      if (!labels) continue;
      const id = labels[KUBERNETES_ID_LABEL];
      if (id) {
        for (const { entity, namespace: ns } of this.#byId.get(id) ?? []) {
          if (!ns || ns === namespace) add(entity.ref);
        }
      }
      if (this.#bySelectorPair.size > 0) {
        for (const key in labels) {
          if (!Object.prototype.hasOwnProperty.call(labels, key)) continue;
          const candidates = this.#bySelectorPair
            .get(key)
            ?.get(String(labels[key]));
          for (const se of candidates ?? []) consider(se, labels);
        }
      }
      for (const se of this.#unindexed) consider(se, labels);
    }
    return out.length > 1 ? out.sort() : out;
  }
}
