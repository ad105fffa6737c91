/*
 * Long engine work as generators that yield between small steps, so one
 * body of code runs two ways: straight through (the CLI, tests), or in time
 * slices that give the event loop back every few milliseconds (the backend,
 * where the expiry sweep and the API must answer while 10,000 services are
 * evaluated).
 */
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';

export type Steps<T> = Generator<void, T, void>;

/** Items between yields in a loop: small enough that a step is well under a millisecond. */
export const STEP = 256;

/** Runs the steps to the end without yielding. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Runs the steps, giving the event loop back whenever a slice of `sliceMs` is used up. */
export async function runStepsInSlices<T>(
  steps: Steps<T>,
  sliceMs = 10,
): Promise<T> {
  let deadline = performance.now() + sliceMs;
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() >= deadline) {
      await setImmediate();
      deadline = performance.now() + sliceMs;
    }
  }
}

const RUN = 4096;

/**
 * A stable sort in steps: runs of a few thousand sorted natively, then
 * merged pairwise, yielding every run's worth of work. O(n log n), like the
 * native sort it stands in for where one sort of a million items would hold
 * the event loop for most of a second. Two runs already in order are joined
 * after one comparison, so input that is mostly sorted costs little more
 * than a pass; input wholly in order (a live cluster lists each namespace's
 * objects by name) is returned as it is, not copied, after one pass.
 */
export function* sortInSteps<T>(
  items: T[],
  compare: (a: T, b: T) => number,
): Steps<T[]> {
  let sorted = true;
  for (let i = 1; i < items.length; i++) {
    if (compare(items[i - 1], items[i]) > 0) {
      sorted = false;
      break;
    }
    if (i % RUN === 0) yield;
  }
  if (sorted) return items;
  let runs: T[][] = [];
  for (let i = 0; i < items.length; i += RUN) {
    runs.push(items.slice(i, i + RUN).sort(compare));
    yield;
  }
  while (runs.length > 1) {
    const merged: T[][] = [];
    for (let r = 0; r < runs.length; r += 2) {
      const a = runs[r];
      const b = runs[r + 1];
      if (!b) {
        merged.push(a);
        continue;
      }
      if (compare(b[0], a[a.length - 1]) >= 0) {
        merged.push(a.concat(b));
        yield;
        continue;
      }
      const out = new Array<T>(a.length + b.length);
      let i = 0;
      let j = 0;
      let k = 0;
      while (i < a.length && j < b.length) {
        // Ties keep a's item first: stable.
        out[k++] = compare(b[j], a[i]) < 0 ? b[j++] : a[i++];
        if (k % RUN === 0) yield;
      }
      while (i < a.length) out[k++] = a[i++];
      while (j < b.length) out[k++] = b[j++];
      merged.push(out);
      yield;
    }
    runs = merged;
  }
  return runs[0] ?? [];
}
