/*
 * Parses Kubernetes manifests: multi-document YAML, JSON, and `List` kinds.
 * A document that does not parse is reported with its line and the rest of
 * the file still counts. Secrets are dropped unread: their data never leaves
 * this function.
 */
import { CORE_SCHEMA, load, loadAll, YAMLException } from 'js-yaml';
import { locateJsonError } from './jsonError';
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
  /** Namespaced objects that carried no namespace (given the default one). */
  unnamespaced: KubeObject[];
}

/** Nothing parsed yet: what a reader of many files parses them all into. */
export function emptyParsedManifests(): ParsedManifests {
  return {
    objects: [],
    locations: new Map(),
    errors: [],
    skippedSecrets: 0,
    unnamespaced: [],
  };
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

/** One YAML document of a stream, with the line it starts on. */
interface DocumentText {
  text: string;
  /** 1-based line of the document's first line in the file. */
  firstLine: number;
}

/** Whether the line starting at `at` is the document marker `marker` (`---` or `...`). */
function isMarker(text: string, at: number, marker: number): boolean {
  if (
    text.charCodeAt(at) !== marker ||
    text.charCodeAt(at + 1) !== marker ||
    text.charCodeAt(at + 2) !== marker
  ) {
    return false;
  }
  const next = text.charCodeAt(at + 3);
  // Followed by a space, a tab or the line break (LF or CRLF), or the end.
  return (
    Number.isNaN(next) ||
    next === 0x20 ||
    next === 0x09 ||
    next === 0x0a ||
    next === 0x0d
  );
}

const DASH = 0x2d;
const DOT = 0x2e;
const PERCENT = 0x25;
const BOM = 0xfeff;

/**
 * Splits a YAML stream at its document markers: `---` at the start of a line
 * begins a document, `...` ends one. (A marker at column 0 always ends a
 * document in YAML, even inside block scalars, so this is exact.) The marker
 * is blanked rather than removed so columns and line numbers stay true.
 * Directives (`%YAML`, `%TAG`) belong to the document their `---` starts: that
 * marker is kept with them. One pass over the text, slicing documents out of
 * it (each directive line is looked at once more).
 */
function splitDocuments(text: string): DocumentText[] {
  const docs: DocumentText[] = [];
  let docStart = 0;
  let firstLine = 1;
  let blanked = '';
  const flush = (end: number) => {
    const body = text.slice(docStart, end);
    if (/\S/.test(blanked) || /\S/.test(body)) {
      docs.push({ text: blanked + body, firstLine });
    }
  };
  let line = 1;
  for (let at = 0; at <= text.length; ) {
    const eol = text.indexOf('\n', at);
    const next = eol === -1 ? text.length + 1 : eol + 1;
    if (
      isMarker(text, at, DASH) &&
      blanked === '' &&
      directivesOnly(text, docStart, at)
    ) {
      // The directives' document goes on from here, its marker kept.
    } else if (isMarker(text, at, DASH)) {
      flush(Math.max(docStart, at - 1));
      blanked = '   ';
      docStart = at + 3;
      firstLine = line;
    } else if (isMarker(text, at, DOT)) {
      flush(Math.max(docStart, at - 1));
      blanked = '';
      docStart = next;
      firstLine = line + 1;
    }
    at = next;
    line++;
  }
  flush(text.length);
  return docs;
}

/**
 * Whether the lines from `from` to `to` are directives (`%` in column 0),
 * blank lines and comments, with at least one directive: what may come
 * before a document's `---` in a stream.
 */
function directivesOnly(text: string, from: number, to: number): boolean {
  let directives = 0;
  for (let at = from; at < to; ) {
    const eol = text.indexOf('\n', at);
    const end = eol === -1 || eol > to ? to : eol;
    // At the start of the stream, after a byte order mark if there is one.
    const first = at === 0 && text.charCodeAt(0) === BOM ? 1 : at;
    if (text.charCodeAt(first) === PERCENT) directives++;
    else {
      const t = text.slice(at, end).trim();
      if (t !== '' && !t.startsWith('#')) return false;
    }
    at = end + 1;
  }
  return directives > 0;
}

/** Whether a line holds nothing but the document marker `---` (and maybe a comment). */
function isBareMarker(line: string): boolean {
  if (!line.startsWith('---')) return false;
  const rest = line.slice(3).trim();
  return rest === '' || rest.startsWith('#');
}

/**
 * The line a document's content starts on: after its directives, its `---`,
 * blank lines and comments.
 */
function contentLine(doc: DocumentText): number {
  const text = doc.text;
  let line = doc.firstLine;
  for (let at = 0; at < text.length; line++) {
    const eol = text.indexOf('\n', at);
    const end = eol === -1 ? text.length : eol;
    const raw = text.slice(at, end);
    const t = raw.trim();
    const skipped =
      t === '' || t.startsWith('#') || t.startsWith('%') || isBareMarker(raw);
    if (!skipped) return line;
    at = end + 1;
  }
  return doc.firstLine;
}

type Shape =
  | { ok: true; aliases: number }
  | { ok: false; reason: 'cycle' | 'aliases' | 'size' | 'depth' };

/**
 * Aliases make shared (or even cyclic) references in the parsed value. Counts
 * them and the size and depth the value has once expanded, memoised per
 * shared node, so a "billion laughs" document is measured in linear time
 * instead of being expanded.
 */
function shapeOf(
  value: unknown,
  limits: { aliases: number; nodes: number; depth: number },
): Shape {
  const memo = new Map<object, { size: number; depth: number }>();
  const inProgress = new Set<object>();
  let aliases = 0;
  let failure: 'cycle' | 'aliases' | 'size' | 'depth' | undefined;
  const visit = (
    v: unknown,
    level: number,
  ): { size: number; depth: number } => {
    if (failure || !v || typeof v !== 'object') return { size: 1, depth: 0 };
    if (level > limits.depth) {
      failure = 'depth';
      return { size: 1, depth: 0 };
    }
    const o = v as object;
    if (inProgress.has(o)) {
      failure = 'cycle';
      return { size: 1, depth: 0 };
    }
    const known = memo.get(o);
    if (known) {
      aliases++;
      if (aliases > limits.aliases) failure = 'aliases';
      if (level + known.depth > limits.depth) failure = 'depth';
      return known;
    }
    inProgress.add(o);
    let size = 1;
    let depth = 0;
    for (const child of Object.values(o)) {
      const c = visit(child, level + 1);
      size += c.size;
      depth = Math.max(depth, c.depth + 1);
      if (size > limits.nodes) failure = 'size';
      if (failure) break;
    }
    inProgress.delete(o);
    const result = { size, depth };
    memo.set(o, result);
    return result;
  };
  visit(value, 0);
  return failure ? { ok: false, reason: failure } : { ok: true, aliases };
}

/**
 * Whether a value without shared nodes (parsed JSON) nests deeper than
 * `limit` levels, by the rule `shapeOf` applies to YAML. It stops descending
 * at the limit, so deep input cannot overflow the stack, and it allocates
 * nothing: one cheap pass.
 */
function nestedDeeperThan(v: unknown, limit: number, level = 0): boolean {
  if (!v || typeof v !== 'object') return false;
  if (level > limit) return true;
  if (Array.isArray(v)) {
    for (const child of v) {
      if (nestedDeeperThan(child, limit, level + 1)) return true;
    }
    return false;
  }
  for (const key in v) {
    if (
      Object.prototype.hasOwnProperty.call(v, key) &&
      nestedDeeperThan((v as Record<string, unknown>)[key], limit, level + 1)
    )
      return true;
  }
  return false;
}

const REFUSALS = {
  cycle: 'refused: a YAML alias refers to itself (an alias bomb?)',
  aliases: 'refused: too many YAML aliases (an alias bomb?)',
  size: 'refused: YAML aliases expand it beyond the size limit (an alias bomb?)',
};

// The YAML 1.2 core schema, as Kubernetes reads manifests: timestamps stay
// strings. Duplicate keys: the last one wins, as in kubectl.
const YAML_OPTIONS = { schema: CORE_SCHEMA, json: true };

/**
 * The documents of a stream in one pass of js-yaml, each with the line its
 * content starts on (where its root node opens). Only for a stream without
 * anchors (`&`): where there are aliases, each document is measured for its
 * expanded size first (see shapeOf). Undefined where any document does not
 * load: the caller then loads them one by one, to report each that fails at
 * its line and keep the others.
 */
export function loadStream(
  text: string,
): Array<{ value: unknown; line: number }> | undefined {
  if (text.includes('&')) return undefined;
  const lines: number[] = [];
  let depth = 0;
  let values: unknown[];
  try {
    values = loadAll(text, undefined, {
      ...YAML_OPTIONS,
      listener(event, state) {
        // Every node opens and closes; a document's root node opens at
        // depth 0, on its first content line (0-based), after the marker,
        // blank lines and comments.
        if (event === 'close') depth--;
        else if (depth++ === 0) lines.push(state.line + 1);
      },
    });
  } catch {
    return undefined;
  }
  if (values.length !== lines.length) return undefined;
  return values.map((value, i) => ({ value, line: lines[i] }));
}

/**
 * Parses one file's YAML stream, adding what it finds to `out` (a new result
 * by default; a reader of many files passes one for them all, in file order).
 * A stream whose documents all load is read in one pass (see loadStream);
 * otherwise document by document, each that fails reported at its line.
 */
export function parseManifests(
  text: string,
  file: string,
  options: ParseOptions = {},
  out: ParsedManifests = emptyParsedManifests(),
): ParsedManifests {
  const stream = loadStream(text);
  if (!stream) return parseDocumentByDocument(text, file, options, out);
  const maxDepth = options.maxDepth ?? 64;
  for (const { value, line } of stream) {
    if (value === null || value === undefined) continue; // empty document
    // No anchors, so no aliases: only the depth can be over its limit.
    if (nestedDeeperThan(value, maxDepth)) {
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

/** parseManifests a document at a time: each that fails is reported at its line, the others still count. */
export function parseDocumentByDocument(
  text: string,
  file: string,
  options: ParseOptions = {},
  out: ParsedManifests = emptyParsedManifests(),
): ParsedManifests {
  const maxDepth = options.maxDepth ?? 64;
  const maxAliases = options.maxAliasCount ?? 100;
  for (const doc of splitDocuments(text)) {
    const line = contentLine(doc);
    let value: unknown;
    try {
      value = load(doc.text, YAML_OPTIONS);
    } catch (e) {
      if (e instanceof YAMLException && /nesting exceeded/.test(e.message)) {
        // js-yaml stops recursing at 100 levels, which protects the stack.
        out.errors.push({
          file,
          line,
          message: `refused: nested deeper than ${maxDepth} levels`,
        });
      } else if (e instanceof YAMLException) {
        out.errors.push({
          file,
          line: doc.firstLine + (e.mark?.line ?? 0),
          message: e.reason || e.message.split('\n')[0],
        });
      } else {
        out.errors.push({
          file,
          line,
          message: 'cannot parse this document',
        });
      }
      continue;
    }
    if (value === null || value === undefined) continue; // empty document
    // Without an anchor (`&`) there are no aliases: no shared nodes, so only
    // the depth can be over its limit, measured in one cheap pass.
    let shape: Shape;
    if (doc.text.includes('&')) {
      shape = shapeOf(value, {
        aliases: maxAliases,
        nodes: 100_000,
        depth: maxDepth,
      });
    } else {
      shape = nestedDeeperThan(value, maxDepth)
        ? { ok: false, reason: 'depth' }
        : { ok: true, aliases: 0 };
    }
    if (!shape.ok) {
      out.errors.push({
        file,
        line,
        message:
          shape.reason === 'depth'
            ? `refused: nested deeper than ${maxDepth} levels`
            : REFUSALS[shape.reason],
      });
      continue;
    }
    // Expand the few legitimate aliases so no two objects share a node.
    if (shape.aliases > 0) value = JSON.parse(JSON.stringify(value));
    addObject(value, file, line, options, out);
  }
  return out;
}

/** Parses a JSON file, one object or a `List`, adding it to `out` (see parseManifests). */
export function parseJsonManifest(
  text: string,
  file: string,
  options: ParseOptions = {},
  out: ParsedManifests = emptyParsedManifests(),
): ParsedManifests {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Never JSON.parse's message: it quotes the text around the error.
    const where = locateJsonError(text);
    out.errors.push({
      file,
      line: where.line,
      message: `invalid JSON at line ${where.line}, column ${where.column}: expected ${where.expected}`,
    });
    return out;
  }
  // JSON has no aliases: only the depth limit can apply.
  if (nestedDeeperThan(value, options.maxDepth ?? 64)) {
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
    // The items of a List share their document's location.
    const location = { file, line };
    v.items.forEach((item: unknown, i: number) => {
      addSingle(item, location, options, out, v.kind, i);
    });
    return;
  }
  addSingle(value, { file, line }, options, out);
}

function addSingle(
  value: unknown,
  location: SourceLocation,
  options: ParseOptions,
  out: ParsedManifests,
  listKind?: string,
  index?: number,
) {
  const { file, line } = location;
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
      message:
        listKind !== undefined
          ? `${listKind}.items[${index}]: ${invalid}`
          : invalid,
    });
    return;
  }
  const obj = withoutUnread(o);
  if (!isClusterScoped(obj.kind) && !obj.metadata.namespace) {
    obj.metadata.namespace = options.defaultNamespace ?? 'default';
    out.unnamespaced.push(obj);
  }
  out.objects.push(obj);
  out.locations.set(obj, location);
}

/**
 * The object as both readers keep it: without its `status` and
 * `metadata.managedFields`. No check reads either
 * (`engine/properties.test.ts`), and on a live cluster, or in what `kubectl
 * get -o yaml` exports, they are often most of an object; left behind, they
 * are collected young instead of being kept and copied. An object without
 * them is returned as it is.
 */
export function withoutUnread(o: Record<string, any>): KubeObject {
  const metadata = o.metadata;
  const managed =
    !!metadata && typeof metadata === 'object' && 'managedFields' in metadata;
  if (!('status' in o) && !managed) return o as KubeObject;
  const { status: _status, ...rest } = o;
  if (managed) {
    const { managedFields: _managedFields, ...kept } = metadata;
    rest.metadata = kept;
  }
  return rest as KubeObject;
}
