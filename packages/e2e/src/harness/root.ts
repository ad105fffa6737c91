/*
 * Where the repository is, whichever directory the tests were started from:
 * the nearest directory above the working directory whose package.json is
 * the portal's root workspace.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT_PACKAGE = 'security-guardrails-portal';

function findRoot(): string {
  for (let dir = resolve(process.cwd()); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8'));
      if (name === ROOT_PACKAGE) return dir;
    }
    if (dirname(dir) === dir) {
      throw new Error(
        `run the end-to-end tests inside the repository (no ${ROOT_PACKAGE} package.json above ${process.cwd()})`,
      );
    }
  }
}

/** The repository's root directory. */
export const repoRoot = findRoot();

/** A path inside the repository. */
export function fromRoot(...parts: string[]): string {
  return join(repoRoot, ...parts);
}
