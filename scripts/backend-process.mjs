/*
 * Starts the portal's backend as `./portal start` does (`yarn workspace
 * backend start` over app-config.yaml), with an override config written next
 * to `overridePath`. Shared by the browser and process tests. The child runs
 * in its own process group, so `process.kill(-child.pid, signal)` reaches the
 * whole tree. `env` adds to the environment: NODE_ENV=production runs it as a
 * deployment does (`backstage-cli package start` sets development only when
 * NODE_ENV is unset).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function spawnBackend(root, override, overridePath, env = {}) {
  writeFileSync(overridePath, JSON.stringify(override, null, 2)); // JSON is YAML
  return spawn(
    'yarn',
    [
      'workspace',
      'backend',
      'start',
      '--config',
      join(root, 'app-config.yaml'),
      '--config',
      overridePath,
    ],
    {
      cwd: root,
      detached: true,
      env: { ...process.env, FORCE_COLOR: '0', ...env },
    },
  );
}
