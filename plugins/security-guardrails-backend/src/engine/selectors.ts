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
