/*
 * Remediation made concrete for one result: a check that knows the value
 * that fixes its field (CheckFix) gets a strategic merge patch for the very
 * object, container and field that failed; references become links; a
 * remediation document splits into prose and code blocks (to copy).
 */
import { CheckResult } from './results';

/**
 * The values that fix a check, by the name of the field a failing result
 * names: `{ values: { privileged: false } }` fixes
 * `…containers[web].securityContext.privileged`. A result whose field's
 * name is not listed gets no filled patch (`runAsUser: 0` has no one right
 * value).
 *
 * @public
 */
export interface CheckFix {
  values: Record<string, string | number | boolean | string[]>;
  /** Said beside the patch: what else to know before applying it. */
  note?: string;
}

/**
 * A patch for one failing result: the object, the YAML of a strategic merge
 * patch (which also reads as the lines to merge into the manifest) and the
 * `kubectl patch` command that applies it.
 *
 * @public
 */
export interface FilledFix {
  target: string;
  container?: string;
  patch: string;
  command: string;
  note?: string;
}

/** Lists of a pod spec that strategic merge patches key by `name`. */
const NAMED_LISTS = new Set(['containers', 'initContainers']);

type Segment = { key: string } | { list: string; name: string };

/** A field path of identifiers and `containers[name]`; undefined for anything else. */
function parseField(field: string): Segment[] | undefined {
  const segments: Segment[] = [];
  for (const part of field.split('.')) {
    const open = part.indexOf('[');
    if (open < 0) {
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(part)) return undefined;
      segments.push({ key: part });
      continue;
    }
    const list = part.slice(0, open);
    const name = part.slice(open + 1, -1);
    if (
      !NAMED_LISTS.has(list) ||
      !part.endsWith(']') ||
      name.length > 63 ||
      !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)
    ) {
      return undefined;
    }
    segments.push({ list, name });
  }
  // A path into the object itself starts at its spec; one into a related
  // object starts with that object's kind (`NetworkPolicy.spec…`).
  const first = segments[0];
  return first && 'key' in first && first.key === 'spec' ? segments : undefined;
}

/**
 * The patch that sets a failing result's field to the check's fixed value
 * for it,
 * or undefined when the result has no field of a form a patch can name (a
 * related object, an ephemeral container, an env entry or a volume).
 *
 * @public
 */
export function fillFix(
  result: Pick<CheckResult, 'resource' | 'container' | 'field'>,
  fix: CheckFix,
): FilledFix | undefined {
  const segments = result.field ? parseField(result.field) : undefined;
  if (!segments) return undefined;
  const last = segments[segments.length - 1];
  if (
    !('key' in last) ||
    !Object.prototype.hasOwnProperty.call(fix.values, last.key)
  ) {
    return undefined;
  }
  const value = fix.values[last.key];
  const lines: string[] = [];
  let indent = '';
  for (const s of segments.slice(0, -1)) {
    if ('key' in s) {
      lines.push(`${indent}${s.key}:`);
      indent += '  ';
    } else {
      lines.push(`${indent}${s.list}:`, `${indent}  - name: ${s.name}`);
      indent += '    ';
    }
  }
  lines.push(`${indent}${last.key}: ${JSON.stringify(value)}`);
  const patch = `${lines.join('\n')}\n`;
  const { kind, namespace, name } = result.resource;
  const target = `${kind.toLowerCase()}/${name}`;
  return {
    target: `${kind} ${namespace ? `${namespace}/` : ''}${name}`,
    container: result.container,
    patch,
    command: `kubectl${
      namespace ? ` -n ${namespace}` : ''
    } patch ${target} --type strategic --patch '\n${patch}'`,
    note: fix.note,
  };
}

const REFERENCE_LINKS: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^https:\/\/\S+$/, m => m[0]],
  [
    /^PSS (baseline|restricted):/,
    () =>
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/',
  ],
  [/^KSV(\d{3})$/, m => `https://avd.aquasec.com/misconfig/ksv${m[1]}`],
  [
    /^Kubescape (C-\d{4})/,
    m => `https://hub.armosec.io/docs/${m[1].toLowerCase()}`,
  ],
  [
    /^Polaris .*(cpu|memory)/i,
    () => 'https://polaris.docs.fairwinds.com/checks/efficiency/',
  ],
  [
    /^Polaris .*(probe|replicas|tag|PDB)/i,
    () => 'https://polaris.docs.fairwinds.com/checks/reliability/',
  ],
  [/^Polaris/, () => 'https://polaris.docs.fairwinds.com/checks/security/'],
  [
    /^kube-score/,
    () => 'https://github.com/zegl/kube-score/blob/master/README_CHECKS.md',
  ],
  [/^CIS \d/, () => 'https://www.cisecurity.org/benchmark/kubernetes'],
  [
    /^Kubernetes deprecated API migration guide$/,
    () => 'https://kubernetes.io/docs/reference/using-api/deprecation-guide/',
  ],
  [
    /^Kubernetes recommended labels$/,
    () =>
      'https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/',
  ],
  [
    /^Backstage catalog:/,
    () =>
      'https://backstage.io/docs/features/software-catalog/descriptor-format',
  ],
  [/^Pluto$/, () => 'https://github.com/FairwindsOps/pluto'],
  [/^kube-no-trouble$/, () => 'https://github.com/doitintl/kube-no-trouble'],
  [/^Kyverno/, () => 'https://kyverno.io/policies/'],
];

/**
 * Where a check's reference is documented, for the references that name a
 * public catalogue (Pod Security Standards, Trivy KSV, Kubescape controls,
 * Polaris, kube-score, CIS, Kubernetes guides); undefined for the rest,
 * which are shown as text.
 *
 * @public
 */
export function referenceUrl(reference: string): string | undefined {
  for (const [pattern, url] of REFERENCE_LINKS) {
    const m = reference.match(pattern);
    if (m) return url(m);
  }
  return undefined;
}

/**
 * A piece of a remediation document: markdown prose or one code block.
 *
 * @public
 */
export type RemediationPart =
  | { kind: 'text'; text: string }
  | { kind: 'code'; language: string; text: string };

/**
 * A remediation document in order: prose (markdown) and fenced code blocks,
 * so each block can be shown with a copy button. Line by line, in one pass.
 *
 * @public
 */
export function splitRemediation(markdown: string): RemediationPart[] {
  const parts: RemediationPart[] = [];
  let buffer: string[] = [];
  let language: string | undefined;
  const flush = () => {
    const text = buffer.join('\n');
    if (language !== undefined) parts.push({ kind: 'code', language, text });
    else if (text.trim()) parts.push({ kind: 'text', text });
    buffer = [];
  };
  for (const line of markdown.split('\n')) {
    if (line.trimStart().startsWith('```')) {
      if (language === undefined) {
        flush();
        language = line.trim().slice(3).trim() || 'text';
      } else {
        flush();
        language = undefined;
      }
      continue;
    }
    buffer.push(line);
  }
  // An unclosed fence is code to the end, as markdown reads it.
  flush();
  return parts;
}
