/*
 * Parses Kubernetes manifests: multi-document YAML, JSON, and `List` kinds.
 * A document that does not parse is reported with its line and the rest of
 * the file still counts. Secrets are dropped unread: their data never leaves
 * this function.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import {
  isClusterScoped,
  KubeObject,
  SourceError,
  SourceLocation,
} from '../engine';

export interface ParseOptions {
  /** Namespace for namespaced objects that do not set one (like `kubectl apply -n`). */
  defaultNamespace?: string;
  /** Aliases allowed per document; more is treated as an alias bomb. */
  maxAliasCount?: number;
  /** Nesting depth beyond which a document is refused. */
  maxDepth?: number;
}

export interface ParsedManifests {
  objects: KubeObject[];
  locations: Map<KubeObject, SourceLocation>;
  errors: SourceError[];
  /** How many Secret objects were skipped without being read. */
  skippedSecrets: number;
}

function depthExceeds(value: unknown, max: number): boolean {
  // Iterative, so a hostile document cannot overflow the stack here.
  const stack: Array<{ v: unknown; d: number }> = [{ v: value, d: 0 }];
  while (stack.length) {
    const { v, d } = stack.pop()!;
    if (d > max) return true;
    if (v && typeof v === 'object') {
      for (const child of Object.values(v as object)) {
        if (child && typeof child === 'object')
          stack.push({ v: child, d: d + 1 });
      }
    }
  }
  return false;
}

function describeInvalid(doc: unknown): string | undefined {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    return 'not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)';
  }
  const o = doc as Record<string, any>;
  if (typeof o.kind !== 'string' || !o.kind) return 'missing kind';
  if (typeof o.apiVersion !== 'string' || !o.apiVersion)
    return `${o.kind}: missing apiVersion`;
  if (
    !o.metadata ||
    typeof o.metadata !== 'object' ||
    typeof o.metadata.name !== 'string' ||
    !o.metadata.name
  ) {
    return `${o.kind}: missing metadata.name`;
  }
  return undefined;
}

export function parseManifests(
  text: string,
  file: string,
  options: ParseOptions = {},
): ParsedManifests {
  const out: ParsedManifests = {
    objects: [],
    locations: new Map(),
    errors: [],
    skippedSecrets: 0,
  };
  const maxDepth = options.maxDepth ?? 64;
  const lineCounter = new LineCounter();
  let docs;
  try {
    docs = parseAllDocuments(text, {
      lineCounter,
      prettyErrors: true,
      uniqueKeys: false,
    });
  } catch (e) {
    out.errors.push({
      file,
      line: 1,
      message: `cannot parse: ${(e as Error).message}`,
    });
    return out;
  }
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    // The line where the document's content starts (after `---` and comments).
    const start =
      (doc.contents as { range?: [number, number, number] } | null)
        ?.range?.[0] ??
      doc.range?.[0] ??
      0;
    const line = lineCounter.linePos(start).line;
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      out.errors.push({
        file,
        line: err.linePos?.[0]?.line ?? line,
        message: err.message.split('\n')[0],
      });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: options.maxAliasCount ?? 100 });
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      out.errors.push({
        file,
        line,
        message: /alias/i.test(message)
          ? `refused: too many YAML aliases (an alias bomb?): ${message}`
          : `cannot read document: ${message}`,
      });
      continue;
    }
    if (value === null || value === undefined) continue; // empty document
    if (depthExceeds(value, maxDepth)) {
      out.errors.push({
        file,
        line,
        message: `refused: nested deeper than ${maxDepth} levels`,
      });
      continue;
    }
    addObject(value, file, line, options, out);
  }
  return out;
}

/** Parses a JSON file: one object, or a `List`. */
export function parseJsonManifest(
  text: string,
  file: string,
  options: ParseOptions = {},
): ParsedManifests {
  const out: ParsedManifests = {
    objects: [],
    locations: new Map(),
    errors: [],
    skippedSecrets: 0,
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : 1;
    out.errors.push({ file, line, message: `invalid JSON: ${message}` });
    return out;
  }
  if (depthExceeds(value, options.maxDepth ?? 64)) {
    out.errors.push({
      file,
      line: 1,
      message: `refused: nested deeper than ${options.maxDepth ?? 64} levels`,
    });
    return out;
  }
  addObject(value, file, 1, options, out);
  return out;
}

function addObject(
  value: unknown,
  file: string,
  line: number,
  options: ParseOptions,
  out: ParsedManifests,
) {
  const v = value as Record<string, any>;
  if (
    v &&
    typeof v === 'object' &&
    typeof v.kind === 'string' &&
    v.kind.endsWith('List') &&
    Array.isArray(v.items)
  ) {
    v.items.forEach((item: unknown, i: number) => {
      addSingle(item, file, line, `${v.kind}.items[${i}]`, options, out);
    });
    return;
  }
  addSingle(value, file, line, undefined, options, out);
}

function addSingle(
  value: unknown,
  file: string,
  line: number,
  where: string | undefined,
  options: ParseOptions,
  out: ParsedManifests,
) {
  const o = value as Record<string, any>;
  if (o && typeof o === 'object' && o.kind === 'Secret') {
    // Secret data is never read or kept.
    out.skippedSecrets++;
    return;
  }
  const invalid = describeInvalid(value);
  if (invalid) {
    out.errors.push({
      file,
      line,
      message: where ? `${where}: ${invalid}` : invalid,
    });
    return;
  }
  const obj = o as KubeObject;
  if (!isClusterScoped(obj.kind) && !obj.metadata.namespace) {
    obj.metadata.namespace = options.defaultNamespace ?? 'default';
  }
  out.objects.push(obj);
  out.locations.set(obj, { file, line });
}
