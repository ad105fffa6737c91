/*
 * Small helpers every end-to-end runner uses: waiting, bounded concurrency,
 * and Failure, the error a scenario throws for a broken expectation (its
 * message is the report; other errors are reported with their stack).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const sleep = (ms: number) =>
  new Promise<void>(resolveSleep => setTimeout(resolveSleep, ms));

/** A broken expectation: its message says what was seen and what was wanted. */
export class Failure extends Error {}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Failure(message);
}

/**
 * Polls `fn` until it returns true; anything else it returns is what is
 * reported when `timeoutMs` runs out.
 */
export async function waitFor(
  what: string,
  fn: () => Promise<true | string | number | boolean>,
  timeoutMs: number,
  intervalMs = 500,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    last = await fn();
    if (last === true) return;
    await sleep(intervalMs);
  }
  throw new Failure(`${what} (after ${timeoutMs / 1000} s: ${last})`);
}

/** Maps `items` through `fn`, at most `concurrency` at a time, keeping order. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index], index);
      }
    }),
  );
  return results;
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Files under `dir` (recursively) whose names end in `.yaml`, as full paths. */
export function yamlFilesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.yaml')) found.push(path);
    }
  };
  walk(dir);
  return found;
}
