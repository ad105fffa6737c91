/*
 * Who the process tests sign in as: the demo's people, and 600 generated
 * users who each ask for grants under load (the same access is refused while
 * a first identical request is pending or held, so each grant of a scenario
 * is asked by its own person). The generated users go into the test's catalog.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const USERS = ['dana', 'riley', 'pat', 'sam'];

export const LOAD_USERS = Array.from(
  { length: 600 },
  (_, i) => `load-${String(i).padStart(3, '0')}`,
);

/** Writes the generated users as catalog User entities to `file`. */
export function writeLoadUsers(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    LOAD_USERS.map(
      name =>
        `apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ${name}\nspec:\n  profile:\n    email: ${name}@example.com\n  memberOf: []\n`,
    ).join('---\n'),
  );
}
