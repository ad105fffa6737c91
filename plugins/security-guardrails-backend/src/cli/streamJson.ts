/*
 * JSON as a stream of chunks, byte for byte what JSON.stringify(value, null, 2)
 * gives, so a report of a million results is never one string (V8 caps a
 * string near 512 MiB, and the CLI's memory would grow with its output).
 * Containers down to `levels` deep are written member by member; below that
 * each member is one JSON.stringify.
 */

/**
 * An array whose members are made one at a time, as each is written: a
 * report's million results are reshaped for output without a second million
 * objects in memory. JSON.stringify sees the mapped array.
 */
export class MappedArray<T, U> {
  constructor(readonly items: readonly T[], readonly map: (item: T) => U) {}

  get length() {
    return this.items.length;
  }

  at(i: number): U {
    return this.map(this.items[i]);
  }

  toJSON(): U[] {
    return this.items.map(this.map);
  }
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** Keys JSON.stringify keeps: not undefined, functions or symbols. */
function members(value: object): Array<[string, unknown]> {
  return Object.entries(value).filter(
    ([, v]) =>
      v !== undefined && typeof v !== 'function' && typeof v !== 'symbol',
  );
}

function whole(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return indent ? text.replace(/\n/g, `\n${indent}`) : text;
}

export function* streamJson(
  value: unknown,
  levels: number,
  indent = '',
): Generator<string, void, void> {
  if (levels > 0 && value instanceof MappedArray) {
    yield* streamArray(value, levels, indent);
    return;
  }
  if (
    levels <= 0 ||
    !isContainer(value) ||
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    yield whole(value, indent);
    return;
  }
  if (Array.isArray(value)) {
    yield* streamArray(value, levels, indent);
    return;
  }
  const inner = `${indent}  `;
  const entries = members(value);
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  yield '{\n';
  for (let i = 0; i < entries.length; i++) {
    const [k, v] = entries[i];
    yield `${inner}${JSON.stringify(k)}: `;
    yield* streamJson(v, levels - 1, inner);
    yield i < entries.length - 1 ? ',\n' : '\n';
  }
  yield `${indent}}`;
}

function* streamArray(
  value: unknown[] | MappedArray<unknown, unknown>,
  levels: number,
  indent: string,
): Generator<string, void, void> {
  if (value.length === 0) {
    yield '[]';
    return;
  }
  const inner = `${indent}  `;
  yield '[\n';
  for (let i = 0; i < value.length; i++) {
    yield inner;
    const v = value instanceof MappedArray ? value.at(i) : value[i];
    // As JSON.stringify: undefined and functions in arrays are null.
    yield* streamJson(
      v === undefined || typeof v === 'function' ? null : v,
      levels - 1,
      inner,
    );
    yield i < value.length - 1 ? ',\n' : '\n';
  }
  yield `${indent}]`;
}

/** Joins chunks into writes of about `size` characters. */
export function* buffered(
  chunks: Iterable<string>,
  size = 64 * 1024,
): Generator<string, void, void> {
  let buffer = '';
  for (const chunk of chunks) {
    buffer += chunk;
    if (buffer.length >= size) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}
