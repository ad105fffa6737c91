/*
 * The frontend bundle the backend serves (packages/app/dist): built when it
 * is missing or older than any of the frontend's sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot, repoRoot } from '../harness/root';

const SOURCES = [
  'packages/app/src',
  'plugins/security-guardrails/src',
  'plugins/security-guardrails-common/src',
];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the app when needed; false when the build failed. */
export function ensureBundle(log: (message: string) => void): boolean {
  const bundle = fromRoot('packages/app/dist/index.html');
  const missing = !existsSync(bundle);
  const stale =
    !missing &&
    Math.max(...SOURCES.map(dir => newestSource(fromRoot(dir)))) >
      statSync(bundle).mtimeMs;
  if (!missing && !stale) return true;
  log(
    `building the frontend (packages/app/dist is ${
      stale ? 'older than its sources' : 'missing'
    })`,
  );
  const build = spawnSync('yarn', ['workspace', 'app', 'build'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  return build.status === 0;
}
