/*
 * Kubernetes label selectors: the structured form (matchLabels +
 * matchExpressions) and the string form (`app=web,tier!=db,env in (a,b),!x`).
 */

export type Labels = Record<string, string> | undefined;

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

function requirementMatches(
  labels: Labels,
  req: LabelSelectorRequirement,
): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, req.key);
  const value = has ? labels![req.key] : undefined;
  switch (req.operator) {
    case 'In':
      return has && (req.values ?? []).includes(value!);
    case 'NotIn':
      return !has || !(req.values ?? []).includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      // An unknown operator selects nothing, as the API server would reject it.
      return false;
  }
}

/**
 * Whether a structured selector selects the labels. An empty selector (`{}`)
 * selects everything; a missing one (`undefined`) selects nothing, which is
 * what Services without a selector and malformed objects mean.
 */
export function selectorMatches(
  selector: LabelSelector | undefined | null,
  labels: Labels,
): boolean {
  if (!selector || typeof selector !== 'object') {
    return false;
  }
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels?.[key] !== value) {
      return false;
    }
  }
  for (const req of selector.matchExpressions ?? []) {
    if (!requirementMatches(labels, req)) {
      return false;
    }
  }
  return true;
}

/** A Service's `spec.selector`: a plain map, empty or missing selects nothing. */
export function mapSelectorMatches(
  selector: Record<string, string> | undefined | null,
  labels: Labels,
): boolean {
  if (!selector || typeof selector !== 'object') {
    return false;
  }
  const entries = Object.entries(selector);
  if (entries.length === 0) {
    return false;
  }
  return entries.every(([k, v]) => labels?.[k] === v);
}

/** A selector that can select nothing, whatever the labels. */
const NEVER = Symbol('never');

/** A label a selector requires: the key with one of the values. */
type Requirement = { key: string; values: unknown[] };

/** The labels a structured selector requires (none: it is tested for every pod). */
function structuredRequirements(
  selector: unknown,
): Requirement[] | typeof NEVER {
  if (!selector || typeof selector !== 'object') return NEVER;
  const { matchLabels, matchExpressions } = selector as LabelSelector;
  const required: Requirement[] = [];
  if (matchLabels && typeof matchLabels === 'object') {
    for (const key of Object.keys(matchLabels)) {
      required.push({ key, values: [matchLabels[key]] });
    }
  }
  if (Array.isArray(matchExpressions)) {
    for (const req of matchExpressions) {
      if (
        req &&
        req.operator === 'In' &&
        typeof req.key === 'string' &&
        Array.isArray(req.values)
      ) {
        required.push({ key: req.key, values: req.values });
      }
    }
  }
  return required;
}

/** The labels a Service's plain selector requires; empty or missing selects nothing. */
function mapRequirements(selector: unknown): Requirement[] | typeof NEVER {
  if (!selector || typeof selector !== 'object') return NEVER;
  const keys = Object.keys(selector);
  if (keys.length === 0) return NEVER;
  return keys.map(key => ({
    key,
    values: [(selector as Record<string, unknown>)[key]],
  }));
}

/**
 * Objects that select pods by labels (NetworkPolicies, PodDisruptionBudgets,
 * Services), indexed so that finding the ones that select a pod does not
 * test every one. Each selector is filed under one label it requires (a key
 * and its value from matchLabels, or a key and each of its values from an
 * `In` requirement), the one fewest selectors require; the selectors that
 * require none (empty, or only Exists, NotIn and DoesNotExist) are tested
 * for every pod. A lookup tests what is filed under the pod's own labels and
 * those, with the same matcher as ever, so the answer is the same as testing
 * all of them. In a namespace of N services with a policy each, the work is
 * N lookups instead of N × N tests.
 */
export class SelectorIndex<T> {
  readonly items: T[];
  readonly #selectors: unknown[];
  readonly #matches: (selector: any, labels: Labels) => boolean;
  /** Label key → value → positions of the selectors filed under it. */
  readonly #byLabel = new Map<string, Map<unknown, number[]>>();
  /** Positions of the selectors that require no particular label. */
  readonly #unkeyed: number[] = [];

  /**
   * `form`: `structured` for a LabelSelector (an empty one selects
   * everything), `map` for a Service's plain selector (an empty one selects
   * nothing).
   */
  constructor(
    items: T[],
    selectorOf: (item: T) => unknown,
    form: 'structured' | 'map',
  ) {
    this.items = items;
    this.#selectors = items.map(selectorOf);
    this.#matches = form === 'map' ? mapSelectorMatches : selectorMatches;
    const options = this.#selectors.map(selector =>
      form === 'map'
        ? mapRequirements(selector)
        : structuredRequirements(selector),
    );
    // How many selectors require each label, to file each under its rarest.
    const counts = new Map<string, Map<unknown, number>>();
    for (const required of options) {
      if (required === NEVER) continue;
      for (const { key, values } of required) {
        let byValue = counts.get(key);
        if (!byValue) counts.set(key, (byValue = new Map()));
        for (const v of values) byValue.set(v, (byValue.get(v) ?? 0) + 1);
      }
    }
    options.forEach((required, i) => {
      if (required === NEVER) return;
      let best: Requirement | undefined;
      let bestCount = Infinity;
      for (const r of required) {
        const byValue = counts.get(r.key)!;
        let n = 0;
        for (const v of r.values) n += byValue.get(v)!;
        if (n < bestCount) {
          best = r;
          bestCount = n;
        }
      }
      if (!best) this.#unkeyed.push(i);
      else for (const v of best.values) this.#file(best.key, v, i);
    });
  }

  #file(key: string, value: unknown, i: number) {
    let byValue = this.#byLabel.get(key);
    if (!byValue) this.#byLabel.set(key, (byValue = new Map()));
    const filed = byValue.get(value);
    if (!filed) byValue.set(value, [i]);
    else if (filed[filed.length - 1] !== i) filed.push(i);
  }

  /** The items whose selector selects the labels, in the items' order. */
  matching(labels: Labels): T[] {
    return this.positions(labels).map(i => this.items[i]);
  }

  /** The positions (in the items) of the selectors that select the labels, in order. */
  positions(labels: Labels): number[] {
    let candidates = this.#unkeyed;
    if (labels && typeof labels === 'object' && this.#byLabel.size > 0) {
      const keyed: number[] = [];
      for (const key of Object.keys(labels)) {
        const filed = this.#byLabel.get(key)?.get(labels[key]);
        if (filed) for (const i of filed) keyed.push(i);
      }
      // A selector is filed under one key, so it is a candidate at most once.
      if (keyed.length > 0) {
        candidates = [...this.#unkeyed, ...keyed].sort((a, b) => a - b);
      }
    }
    const found: number[] = [];
    for (const i of candidates) {
      if (this.#matches(this.#selectors[i], labels)) found.push(i);
    }
    return found;
  }
}

const REQUIREMENT_FORMS: Array<{
  re: RegExp;
  make: (m: RegExpMatchArray) => LabelSelectorRequirement;
}> = [
  {
    re: /^([^\s=!()]+)\s+(in|notin)\s+\(([^)]*)\)$/i,
    make: m => ({
      key: m[1],
      operator: m[2].toLowerCase() === 'in' ? 'In' : 'NotIn',
      values: m[3]
        .split(',')
        .map(v => v.trim())
        .filter(Boolean),
    }),
  },
  {
    re: /^([^\s=!()]+)\s*!=\s*([^\s=!(),]*)$/,
    make: m => ({ key: m[1], operator: 'NotIn', values: [m[2]] }),
  },
  {
    re: /^([^\s=!()]+)\s*==?\s*([^\s=!(),]*)$/,
    make: m => ({ key: m[1], operator: 'In', values: [m[2]] }),
  },
  {
    re: /^!\s*([^\s=!()]+)$/,
    make: m => ({ key: m[1], operator: 'DoesNotExist' }),
  },
  { re: /^([^\s=!()]+)$/, make: m => ({ key: m[1], operator: 'Exists' }) },
];

function parseRequirement(part: string): LabelSelectorRequirement {
  for (const form of REQUIREMENT_FORMS) {
    const m = part.match(form.re);
    if (m) return form.make(m);
  }
  throw new Error(`invalid label selector requirement '${part}'`);
}

/**
 * Parses the string form of a label selector, as in
 * `backstage.io/kubernetes-label-selector`. Throws on malformed input.
 */
export function parseSelectorString(input: string): LabelSelectorRequirement[] {
  const requirements: LabelSelectorRequirement[] = [];
  // Split on commas that are not inside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of input) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  for (const raw of parts) {
    const part = raw.trim();
    if (part) requirements.push(parseRequirement(part));
  }
  return requirements;
}

export function requirementsMatch(
  requirements: LabelSelectorRequirement[],
  labels: Labels,
): boolean {
  return requirements.every(req => requirementMatches(labels, req));
}
