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

/** Services of the demo catalog with a Kubernetes mapping. */
export const DEMO_SERVICES = 10;

/**
 * One look at GET /status as the holder of `token`: `ready` when every demo
 * service is graded, `stuck` (the backend's reason) when one waits for a
 * cluster that was never read, `last` to report when time runs out.
 */
export async function gradingState(baseUrl, token) {
  const res = await fetch(`${baseUrl}/api/security-guardrails/status`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = await res.json().catch(() => ({}));
  const last = `${res.status} ${JSON.stringify(body).slice(0, 600)}`;
  if (!res.ok) return { ready: false, last };
  const { entities, waiting } = body;
  const stuck = waiting.find(w =>
    w.reason.startsWith('Waiting for cluster state'),
  );
  return {
    ready:
      entities.mapped >= DEMO_SERVICES &&
      entities.evaluated === entities.mapped,
    stuck: stuck && `${stuck.entityRef} will not be graded: ${stuck.reason}`,
    last,
  };
}
