/*
 * Starts the portal's backend as `./portal start` does (`yarn workspace
 * backend start` over app-config.yaml), with an override config, and reads
 * whether it has graded the demo. Shared by the browser and process tests
 * and the first-grades measurement.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fromRoot, repoRoot } from './root';

/**
 * Spawns the backend with `override` (written to `overridePath`) layered on
 * app-config.yaml. The child runs in its own process group, so
 * `process.kill(-child.pid, signal)` reaches the whole tree. `env` adds to the
 * environment: NODE_ENV=production runs it as a deployment does
 * (`backstage-cli package start` sets development only when NODE_ENV is unset).
 */
export function spawnBackend(
  override: object,
  overridePath: string,
  env: Record<string, string> = {},
): ChildProcessWithoutNullStreams {
  writeFileSync(overridePath, JSON.stringify(override, null, 2)); // JSON is YAML
  return spawn(
    'yarn',
    [
      'workspace',
      'backend',
      'start',
      '--config',
      fromRoot('app-config.yaml'),
      '--config',
      overridePath,
    ],
    {
      cwd: repoRoot,
      detached: true,
      env: { ...process.env, FORCE_COLOR: '0', ...env },
    },
  );
}

/** Sends `signal` to the whole process group of a child from spawnBackend. */
export function signalGroup(
  child: ChildProcessWithoutNullStreams,
  signal: NodeJS.Signals,
): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Services of the demo catalog with a Kubernetes mapping. */
export const DEMO_SERVICES = 10;

/** The part of GET /status the tests read. */
export interface GradingStatus {
  entities: { mapped: number; evaluated: number };
  waiting: Array<{ entityRef: string; reason: string }>;
}

/** A demo user's Backstage token from the demo sign-in provider, if it signs in. */
export async function demoToken(
  baseUrl: string,
  user: string,
): Promise<string | undefined> {
  const res = await fetch(`${baseUrl}/api/auth/demo/refresh`, {
    headers: { 'x-demo-user': `user:default/${user}` },
  });
  if (!res.ok) return undefined;
  const body = await res.json().catch(() => ({}));
  return body?.backstageIdentity?.token;
}

/** GET /status as the holder of `token`, with the raw answer for reports. */
export async function readStatus(
  baseUrl: string,
  token: string,
): Promise<{ status?: GradingStatus; last: string }> {
  const res = await fetch(`${baseUrl}/api/security-guardrails/status`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = await res.json().catch(() => ({}));
  const last = `${res.status} ${JSON.stringify(body).slice(0, 600)}`;
  return { status: res.ok ? (body as GradingStatus) : undefined, last };
}

/**
 * One look at GET /status: `ready` when every demo service is graded,
 * `stuck` (the backend's reason) when one waits for a cluster that was never
 * read, `last` to report when time runs out.
 */
export async function gradingState(
  baseUrl: string,
  token: string,
): Promise<{ ready: boolean; stuck?: string; last: string }> {
  const { status, last } = await readStatus(baseUrl, token);
  if (!status) return { ready: false, last };
  const { entities, waiting } = status;
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

/** The demo cluster, read from the example manifests, writing grants to `grantsDirectory`. */
export function demoCluster(grantsDirectory: string) {
  return {
    name: 'demo',
    type: 'manifests',
    paths: [fromRoot('examples/cluster/demo')],
    grantsDirectory,
  };
}

/** The demo catalog's file locations, plus `extra` file targets. */
export function demoCatalogLocations(...extra: string[]) {
  return [
    ...['org', 'systems', 'services'].map(f =>
      fromRoot(`examples/catalog/${f}.yaml`),
    ),
    ...extra,
  ].map(target => ({ type: 'file', target }));
}
