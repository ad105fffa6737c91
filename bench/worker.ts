/*
 * One measurement per process, so peak RSS and CPU belong to it alone.
 * Started by bench/run.ts; prints one JSON line on stdout.
 *
 *   plain-floor <estate> [keep]  read the files, JSON.parse/js-yaml, one pass over every object;
 *                             with `keep`, every object is kept to the end, as any evaluation must
 *   floor <estate>            the engine's reader (read, parse, locate), one pass over every object
 *   check-times <estate>      time spent in each check over the estate
 *   scan <estate>             the CLI's JSON scan, output streamed to /dev/null
 *   evaluate <estate>         read, parse and evaluate every service
 *   live <estate> <url>       the same through the Kubernetes API (paginated lists)
 *   serve-k8s <estate>        an in-process Kubernetes API test server holding the estate
 *   follow <estate> <url> <db> [changes]  the backend following that server by watches: idle CPU, change-to-posture latency
 *   serve-api <estate> <db>   the posture API over a store filled with the estate (db: sqlite|pg);
 *                             BENCH_CPU_PROFILE=<file> writes a CPU profile of serving at SIGTERM
 *   load <url> <kind> <n>     32 concurrent clients against one endpoint, after 1,000 requests of warm-up
 *   sweep <grants>            expiry sweep over that many active grants (SQLite, manifests driver)
 *   during-evaluation <estate> sweep and API latency while the estate's first full evaluation runs (SQLite)
 *
 * Over 400 lines: every measurement's process in one entry point, one mode each.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import inspector from 'node:inspector';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import express from 'express';
import knexFactory, { Knex } from 'knex';
import { NotAllowedError, NotFoundError, InputError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import { ANY_CAMPAIGN_SCOPE } from '@internal/backstage-plugin-security-guardrails-common';
import { once } from 'node:events';
import jsYaml from 'js-yaml';
import { runScan } from '../plugins/security-guardrails-backend/src/cli/scan';
import {
  BUILTIN_CHECKS,
  ClusterIndex,
  DEFAULT_SETTINGS,
  evaluate,
} from '../plugins/security-guardrails-backend/src/engine';
import { ManifestsSource } from '../plugins/security-guardrails-backend/src/sources/ManifestsSource';
import { KubernetesSource } from '../plugins/security-guardrails-backend/src/sources/KubernetesSource';
import { KubernetesHttp } from '../plugins/security-guardrails-backend/src/sources/kubernetesHttp';
import { kubeConfigFor } from '../plugins/security-guardrails-backend/src/sources/kubeConfig';
import { FakeKubernetesApi } from '../plugins/security-guardrails-backend/src/__testUtils__/fakeKubernetesApi';
import { buildGuardrailsContext } from '../plugins/security-guardrails-backend/src/service/buildGuardrailsContext';
import { createGuardrailsRouter } from '../plugins/security-guardrails-backend/src/service/router';
import { SweepReport } from '../plugins/security-guardrails-backend/src/access';
import { readEntities } from './estate';

const silentLogger: any = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLogger;
  },
};

function emit(value: object) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Wall, CPU and peak RSS of this process around `fn`. */
async function measured<T>(fn: () => Promise<T>) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    value,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function manifests(estate: string) {
  return ManifestsSource.create({
    cluster: 'bench',
    paths: [path.join(estate, 'manifests')],
    maxFileBytes: 50 * 1024 * 1024,
  });
}

async function floor(estate: string) {
  const m = await measured(async () => {
    const snapshot = await manifests(estate).read();
    // One pass over every object: what any evaluation must at least do.
    const perService = new Map<string, number>();
    let fields = 0;
    for (const o of snapshot.objects) {
      const id = o.metadata.labels?.['backstage.io/kubernetes-id'] ?? '';
      perService.set(id, (perService.get(id) ?? 0) + 1);
      fields += Object.keys(o).length;
    }
    return { objects: snapshot.objects.length, fields };
  });
  emit({ ...m, value: undefined, objects: m.value.objects });
}

/**
 * The plain floor: read every file, JSON.parse or js-yaml it, one pass over
 * the objects. Nothing of the engine: what any tool must at least do.
 *
 * With `keep`, the objects are kept in a list until the pass ends, as
 * anything that looks at one object in the light of others (an index, an
 * evaluation) must keep them: what V8's young-generation collector then
 * copies is the difference to the plain floor.
 */
async function plainFloor(estate: string, keep: boolean) {
  const m = await measured(async () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(json|ya?ml)$/.test(e.name)) files.push(p);
      }
    };
    walk(path.join(estate, 'manifests'));
    const perService = new Map<string, number>();
    const kept: unknown[] = [];
    let objects = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const docs: any[] = file.endsWith('.json')
        ? [JSON.parse(text)]
        : jsYaml.loadAll(text);
      for (const doc of docs) {
        const items = doc?.kind === 'List' ? doc.items ?? [] : [doc];
        for (const o of items) {
          if (!o) continue;
          objects++;
          if (keep) kept.push(o);
          const id = o.metadata?.labels?.['backstage.io/kubernetes-id'] ?? '';
          perService.set(id, (perService.get(id) ?? 0) + 1);
        }
      }
    }
    return { objects, kept: kept.length };
  });
  emit({ ...m, value: undefined, ...m.value });
}

/**
 * Time spent in each check over the estate, each check in its own pass over
 * one index (so a check is not charged for another's garbage), best of five.
 * What the index works out once and keeps (a service account's grants) is
 * paid by the first check that asks, as in an evaluation.
 */
async function checkTimes(estate: string) {
  const { entities } = readEntities(estate);
  const snapshot = await manifests(estate).read();
  const index = new ClusterIndex(snapshot);
  const ctx = {
    index,
    settings: { ...DEFAULT_SETTINGS, knownGroups: undefined },
    now: new Date(),
  };
  const times: Record<string, number> = {};
  for (const check of BUILTIN_CHECKS) {
    const kinds = new Set(check.objectKinds ?? []);
    const objects = snapshot.objects.filter(
      o => kinds.has('*') || kinds.has(o.kind),
    );
    let best = Infinity;
    for (let round = 0; round < 5; round++) {
      const t0 = performance.now();
      if (check.workload)
        for (const w of index.workloads) check.workload(w, ctx);
      if (check.object) for (const o of objects) check.object(o, ctx);
      if (check.entity) for (const e of entities) check.entity(e, ctx);
      best = Math.min(best, performance.now() - t0);
    }
    times[check.meta.id] = best;
  }
  emit({ checks: times });
}

/** `guardrails scan --format json` over the estate, its output written to /dev/null as a pipe would take it. */
async function scan(estate: string) {
  const sink = fs.createWriteStream(os.devNull);
  let bytes = 0;
  const m = await measured(() =>
    runScan([path.resolve(estate, 'manifests'), '--format', 'json'], {
      stdout: t => {
        bytes += t.length;
        return sink.write(t);
      },
      drain: () => once(sink, 'drain').then(() => undefined),
      stderr: () => {},
      cwd: estate,
    }),
  );
  await new Promise(r => sink.end(r));
  emit({ ...m, value: undefined, exitCode: m.value, bytes });
}

async function evaluateFrom(
  estate: string,
  source: { read(): Promise<any> },
  extra: object = {},
) {
  const { entities } = readEntities(estate);
  let readMs = 0;
  let evalMs = 0;
  const m = await measured(async () => {
    const t0 = performance.now();
    const snapshot = await source.read();
    readMs = performance.now() - t0;
    if (snapshot.status !== 'ok') {
      throw new Error(
        `read ${snapshot.status}: ${snapshot.errors
          .slice(0, 3)
          .map((e: any) => e.message)
          .join('; ')}`,
      );
    }
    const t1 = performance.now();
    const evaluation = evaluate({ clusters: [snapshot] }, { entities });
    evalMs = performance.now() - t1;
    return {
      objects: snapshot.objects.length,
      results: evaluation.results.length,
      services: [...evaluation.entities.values()].filter(e => e.mapped).length,
    };
  });
  emit({ ...m, value: undefined, ...m.value, readMs, evalMs, ...extra });
}

async function live(estate: string, url: string) {
  const http = new KubernetesHttp(
    kubeConfigFor({
      type: 'kubernetes',
      name: 'bench',
      url,
      authProvider: 'serviceAccount',
      serviceAccountToken: 'bench-token',
      skipTLSVerify: true,
    } as any),
    { timeoutMs: 60_000 },
  );
  await evaluateFrom(
    estate,
    KubernetesSource.create({ cluster: 'bench', http }),
  );
}

async function serveKubernetes(estate: string) {
  const snapshot = await manifests(estate).read();
  const api = await new FakeKubernetesApi({
    objects: snapshot.objects,
    token: 'bench-token',
    keepAlive: true,
  }).start();
  emit({ url: api.url, objects: snapshot.objects.length });
  await new Promise(() => {});
}

// --- the posture API ---------------------------------------------------------

async function database(kind: string): Promise<{
  knex: Knex;
  drop: () => Promise<void>;
}> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrails-bench-'));
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'bench.sqlite') },
      useNullAsDefault: true,
    });
    return {
      knex,
      drop: async () => {
        await knex.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base =
    process.env.BENCH_POSTGRES_CONNECTION_STRING ??
    'postgresql://postgres@127.0.0.1:5432';
  const name = `guardrails_bench_${process.pid}`;
  const admin = knexFactory({
    client: 'pg',
    connection: `${base}/postgres`,
  });
  await admin.raw(`CREATE DATABASE ${name}`);
  const knex = knexFactory({
    client: 'pg',
    connection: `${base}/${name}`,
    pool: { min: 0, max: 10 },
  });
  return {
    knex,
    drop: async () => {
      await knex.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}

/** The catalog, in memory: every entity visible to the caller. */
function memoryCatalog(entities: Entity[]) {
  const byRef = new Map<string, Entity>();
  for (const e of entities) {
    byRef.set(
      `${e.kind.toLocaleLowerCase('en-US')}:${e.metadata.namespace}/${
        e.metadata.name
      }`,
      e,
    );
  }
  return {
    async getEntities(request: any) {
      const kind = request?.filter?.kind ?? request?.filter?.[0]?.kind;
      if (kind === 'Group')
        return { items: entities.filter(e => e.kind === 'Group') };
      return { items: entities.filter(e => e.kind !== 'Group') };
    },
    async getEntityByRef(ref: string) {
      return byRef.get(ref);
    },
    async getEntitiesByRefs(request: { entityRefs: string[] }) {
      return { items: request.entityRefs.map(r => byRef.get(r)) };
    },
  };
}

/** The plugin's database, as the database service hands it out (migrated by the plugin). */
function benchDatabase(knex: Knex): any {
  return { getClient: async () => knex, migrations: { skip: false } };
}

const serviceAuth: any = {
  getOwnServiceCredentials: async () => ({
    $$type: '@backstage/BackstageCredentials',
    principal: { type: 'service', subject: 'plugin:security-guardrails' },
  }),
};

/**
 * What the plugin builds over the estate's manifests (read as the sources
 * extension point would add them, with room for large files), or over a
 * live cluster at `clusterUrl` (followed by watches).
 */
async function estateContext(estate: string, knex: Knex, clusterUrl?: string) {
  const { entities, groups } = readEntities(estate);
  const catalogEntities: Entity[] = [
    ...entities.map(e => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: e.name,
        namespace: 'default',
        annotations: e.annotations,
        links: e.links,
      },
      spec: { owner: e.owner, system: e.system, type: 'service' },
      relations: [
        ...(e.owner ? [{ type: 'ownedBy', targetRef: e.owner }] : []),
        ...(e.system ? [{ type: 'partOf', targetRef: e.system }] : []),
      ],
    })),
    ...groups.map(g => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: g.split('/')[1], namespace: 'default' },
      spec: { type: 'team', children: [] },
    })),
  ];
  const context = await buildGuardrailsContext({
    config: new ConfigReader({
      securityGuardrails: {
        posture: { historyRetentionDays: 180, refreshIntervalSeconds: 30 },
        ...(clusterUrl
          ? {
              clusters: [
                {
                  name: 'bench',
                  url: clusterUrl,
                  authProvider: 'serviceAccount',
                  serviceAccountToken: 'bench-token',
                  skipTLSVerify: true,
                  requestTimeoutMs: 60_000,
                },
              ],
            }
          : {}),
      },
    }),
    logger: silentLogger,
    database: benchDatabase(knex),
    catalog: memoryCatalog(catalogEntities) as any,
    auth: serviceAuth,
    customSources: clusterUrl ? [] : [manifests(estate)],
  });
  return context;
}

/** The plugin's router over a context, on a local port, every call allowed as one user. */
async function apiServer(
  context: Awaited<ReturnType<typeof estateContext>>,
): Promise<{ server: http.Server; url: string }> {
  const credentials = {
    $$type: '@backstage/BackstageCredentials',
    principal: { type: 'user', userEntityRef: 'user:default/bench' },
  };
  const allowAll = async (requests: unknown[]) =>
    requests.map(() => ({ result: AuthorizeResult.ALLOW }));
  const router = createGuardrailsRouter(context, {
    httpAuth: { credentials: async () => credentials } as any,
    userInfo: {
      getUserInfo: async () => ({
        userEntityRef: 'user:default/bench',
        ownershipEntityRefs: ['user:default/bench'],
      }),
    } as any,
    permissions: {
      authorize: allowAll,
      authorizeConditional: allowAll,
    } as any,
    logger: silentLogger,
  });
  const app = express();
  app.use('/api/security-guardrails', router);
  app.use(
    (
      error: Error,
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      let status = 500;
      if (error instanceof InputError) status = 400;
      else if (error instanceof NotAllowedError) status = 403;
      else if (error instanceof NotFoundError) status = 404;
      res.status(status).json({ error: { message: error.message } });
    },
  );
  const server = http.createServer(app);
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as any).port;
  return {
    server,
    url: `http://127.0.0.1:${port}/api/security-guardrails`,
  };
}

async function serveApi(estate: string, dbKind: string) {
  const { knex, drop } = await database(dbKind);
  const context = await estateContext(estate, knex);
  const t0 = performance.now();
  const report = await context.posture.refreshAll();
  const refreshMs = performance.now() - t0;
  const campaigns = await benchCampaigns(context);

  const { server, url } = await apiServer(context);
  // BENCH_CPU_PROFILE=<file>: a CPU profile of serving, written at SIGTERM.
  const profile = process.env.BENCH_CPU_PROFILE;
  const session = profile ? new inspector.Session() : undefined;
  if (session) {
    session.connect();
    await new Promise(r => session.post('Profiler.enable', r));
    await new Promise(r => session.post('Profiler.start', r));
  }
  emit({
    url,
    refreshMs,
    entities: report.entities,
    results: report.results,
    campaigns,
  });
  // Once: a second SIGTERM (timeout(1) passes its own on) must not exit
  // while the first is still dropping the database.
  let stopping = false;
  process.on('SIGTERM', async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    if (session && profile) {
      const result: any = await new Promise(r =>
        session.post('Profiler.stop', (_e, v) => r(v)),
      );
      fs.writeFileSync(profile, JSON.stringify(result.profile));
    }
    await drop().catch(() => {});
    process.exit(0);
  });
  await new Promise(() => {});
}

/**
 * 100 active campaigns of the kinds security leads run: a quarter across the
 * whole estate (two checks), a quarter for one team (two checks), a quarter
 * over two namespaces of a team (grade B), a quarter for one team's grade in
 * a domain. How many.
 */
async function benchCampaigns(
  context: Awaited<ReturnType<typeof estateContext>>,
): Promise<number> {
  const now = Date.now();
  for (let i = 0; i < 100; i++) {
    const team = `team-${i % 50}`;
    const kind = i % 4;
    await context.campaigns.create(
      {
        name: `Campaign ${i}`,
        description: '',
        owner: 'group:default/security-leads',
        startsAt: new Date(now - 7 * 86_400_000).toISOString(),
        deadline: new Date(now + 28 * 86_400_000).toISOString(),
        target:
          kind < 2
            ? { checkIds: ['sc.non-root', 'sc.priv-escalation'] }
            : kind === 2
            ? { checkIds: [], minGrade: 'B' }
            : {
                checkIds: ['net.policy-coverage'],
                minGrade: 'C',
                domain: 'architecture',
              },
        scope: {
          ...ANY_CAMPAIGN_SCOPE,
          ...(kind === 1 || kind === 3
            ? { owners: [`group:default/${team}`] }
            : {}),
          ...(kind === 2 ? { namespaces: [`${team}-ns0`, `${team}-ns1`] } : {}),
        },
        state: 'active',
      },
      'user:default/bench',
    );
  }
  return 100;
}

/**
 * The first full evaluation of the estate (SQLite) while the expiry sweep
 * runs and the API's health route is called every 50 ms: how long each
 * waits, and the event loop's delay.
 */
async function duringEvaluation(estate: string) {
  const { knex, drop } = await database('sqlite');
  const context = await estateContext(estate, knex);
  const { server, url } = await apiServer(context);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const health = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get(`${url}/health`, { agent }, res => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200
              ? resolve()
              : reject(new Error(`/health: HTTP ${res.statusCode}`)),
          );
        })
        .on('error', reject);
    });
  const sweeps: number[] = [];
  const calls: number[] = [];
  let running = true;
  // Each probe is timed from when it was due, so time spent waiting for the event loop counts.
  const probe = async (fn: () => Promise<unknown>, into: number[]) => {
    let due = performance.now();
    while (running) {
      await fn();
      into.push(performance.now() - due);
      due += 50;
      const wait = due - performance.now();
      if (wait > 0) await new Promise(r => setTimeout(r, wait));
      else due = performance.now();
    }
  };
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const t0 = performance.now();
  const probes = [
    probe(() => context.access.sweeper.sweep(), sweeps),
    probe(health, calls),
  ];
  const report = await context.posture.refreshAll();
  const refreshMs = performance.now() - t0;
  running = false;
  await Promise.all(probes);
  delay.disable();
  const q = (list: number[], p: number) => {
    const sorted = [...list].sort((x, y) => x - y);
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  };
  emit({
    entities: report.entities,
    refreshMs,
    sweeps: sweeps.length,
    sweepP95: q(sweeps, 0.95),
    sweepMax: Math.max(...sweeps),
    calls: calls.length,
    apiP95: q(calls, 0.95),
    apiMax: Math.max(...calls),
    loopDelayP99: delay.percentile(99) / 1e6,
    loopDelayMax: delay.max / 1e6,
  });
  agent.destroy();
  server.close();
  await drop();
}

/** The ids of the campaigns the API serves. */
function campaignList(baseUrl: string, agent: http.Agent): Promise<string[]> {
  return new Promise((resolve, reject) => {
    http
      .get(`${baseUrl}/campaigns`, { agent }, res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', chunk => (body += chunk));
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`/campaigns: HTTP ${res.statusCode}`));
            return;
          }
          const ids = JSON.parse(body).items.map((c: { id: string }) => c.id);
          if (!ids.length) reject(new Error('/campaigns: none'));
          else resolve(ids);
        });
      })
      .on('error', reject);
  });
}

/** Requests each load sends before it measures (see `load`). */
const WARMUP_REQUESTS = 1000;

/** 32 clients (by default) in this process, each with its own keep-alive connection. */
async function load(
  baseUrl: string,
  endpoint: string,
  requests: number,
  services: number,
) {
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const grades = ['A', 'B', 'C', 'D', 'F'];
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  // As the portal's browsers ask (every one accepts gzip); posture_identity
  // is the same entity posture for a client that asks for no encoding.
  const headers: http.OutgoingHttpHeaders =
    endpoint === 'posture_identity'
      ? {}
      : { 'Accept-Encoding': 'gzip, deflate, br' };
  const pathFor = () => {
    if (endpoint === 'posture' || endpoint === 'posture_identity') {
      const i = Math.floor(next() * services);
      return `/posture/component/default/svc-${String(i).padStart(5, '0')}`;
    }
    if (endpoint === 'list') {
      const team = Math.floor(next() * 50);
      const grade = grades[Math.floor(next() * grades.length)];
      return `/posture?owner=group:default/team-${team}&grade=${grade}&limit=50`;
    }
    if (endpoint === 'campaign') {
      const id = campaignIds[Math.floor(next() * campaignIds.length)];
      return `/campaigns/${id}/progress`;
    }
    return '/summary?groupBy=owner';
  };
  const get = (p: string) =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const req = http.get(`${baseUrl}${p}`, { agent, headers }, res => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`${p}: HTTP ${res.statusCode}`));
          } else resolve(performance.now() - t0);
        });
      });
      req.on('error', reject);
    });

  const campaignIds: string[] =
    endpoint === 'campaign' ? await campaignList(baseUrl, agent) : [];
  /** `count` requests from `concurrency` clients: sorted latencies and wall time. */
  const drive = async (count: number) => {
    const latencies: number[] = [];
    let issued = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (issued < count) {
          issued++;
          latencies.push(await get(pathFor()));
        }
      }),
    );
    const wallMs = performance.now() - t0;
    latencies.sort((a, b) => a - b);
    const q = (p: number) =>
      latencies[
        Math.min(latencies.length - 1, Math.floor(p * latencies.length))
      ];
    return { latencies, wallMs, q };
  };

  // The first request alone: for the summary, the uncached computation.
  const firstMs = await get(pathFor());
  // Warm-up, reported apart: a server that has just started compiles its
  // code paths and fills its caches on these, as it does once after a deploy.
  const warmup = await drive(WARMUP_REQUESTS);
  const { latencies, wallMs, q } = await drive(requests);
  emit({
    endpoint,
    requests: latencies.length,
    concurrency,
    firstMs,
    warmupRequests: warmup.latencies.length,
    warmupP95: warmup.q(0.95),
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    throughput: latencies.length / (wallMs / 1000),
  });
  agent.destroy();
}

// --- the expiry sweep ------------------------------------------------------------

async function sweep(grants: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrails-sweep-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'sweep.sqlite') },
    useNullAsDefault: true,
  });
  const empty = path.join(dir, 'manifests');
  fs.mkdirSync(empty);
  let now = new Date('2026-11-22T12:00:00Z');
  // What the plugin builds, over one cluster whose grants are files.
  const context = await buildGuardrailsContext({
    config: new ConfigReader({
      securityGuardrails: {
        clusters: [
          {
            name: 'bench',
            type: 'manifests',
            paths: [empty],
            grantsDirectory: path.join(dir, 'grants'),
          },
        ],
        access: { maxActiveGrantsPerUser: 1_000_000 },
      },
    }),
    logger: silentLogger,
    database: benchDatabase(knex),
    catalog: memoryCatalog([]) as any,
    auth: serviceAuth,
    now: () => now,
    sweep: { expiryWarningSeconds: 0 },
  });
  const store = context.accessStore;
  const driver = context.drivers.get('bench')!;
  const sweeper = context.access.sweeper;

  // Approved requests, as the request API leaves them; the first sweep applies them.
  for (let i = 0; i < grants; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const request = await store.create(
      {
        id,
        kind: 'access',
        entityRef: `component:default/svc-${String(i % 10000).padStart(
          5,
          '0',
        )}`,
        cluster: 'bench',
        namespaces: [`team-${i % 50}-ns0`],
        role: 'view',
        clusterRole: 'view',
        durationSeconds: 1800,
        justification: 'benchmark grant',
        requester: `user:default/u${i}`,
        approvalsRequired: 0,
        approverGroups: [],
        pendingExpiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
      },
      now,
      { actor: `user:default/u${i}` },
    );
    await store.transition(
      request,
      'pending',
      'approved',
      now,
      { actor: 'policy:auto-approve' },
      { approvedAt: now.toISOString() },
    );
  }
  // Sweeps until nothing moves: one sweep stops after its 20 s budget and
  // the next (30 s later in production) carries on.
  const sweepUntilDone = async (moved: (r: SweepReport) => number) => {
    let total = 0;
    let sweeps = 0;
    for (;;) {
      const report = await sweeper.sweep();
      sweeps++;
      total += moved(report);
      if (moved(report) === 0) return { total, sweeps };
    }
  };
  const apply = await measured(() => sweepUntilDone(r => r.applied));
  // Half an hour later every grant is past its expiry.
  now = new Date(now.getTime() + 31 * 60_000);
  const revoke = await measured(() => sweepUntilDone(r => r.ended));
  const left = (await driver.listManaged()).length;
  emit({
    grants,
    applyMs: apply.wallMs,
    applied: apply.value.total,
    revokeMs: revoke.wallMs,
    revoked: revoke.value.total,
    revokeSweeps: revoke.value.sweeps,
    bindingsLeft: left,
    maxRssMb: revoke.maxRssMb,
  });
  await knex.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A JSON request to the Kubernetes API test server. */
function kube(url: string, method: string, p: string, body?: unknown) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${url}${p}`,
      {
        method,
        headers: {
          authorization: 'Bearer bench-token',
          'content-type': 'application/json',
        },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
          }),
        );
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/**
 * The backend following the cluster at `url` by watches, as the lease
 * holder does: the first full evaluation from the watched state; the CPU
 * it uses while nothing changes (10 s); then `changes` Deployments made
 * privileged one at a time through the API (PUT), each timed from the
 * server's answer to the stored posture failing sc.privileged.
 */
async function follow(
  estate: string,
  url: string,
  dbKind: string,
  changes: number,
) {
  const { knex, drop } = await database(dbKind);
  const context = await estateContext(estate, knex, url);
  const { watch } = context.watches[0];
  const controller = new AbortController();
  const t0 = performance.now();
  const following = context.live.follow(watch, controller.signal);
  while (context.live.stats.batches === 0) {
    await new Promise(r => setTimeout(r, 100));
  }
  await context.live.idle();
  const firstMs = performance.now() - t0;

  await new Promise(r => setTimeout(r, 2000)); // let the first evaluation's garbage go
  const cpu0 = process.cpuUsage();
  const idleMs = 10_000;
  await new Promise(r => setTimeout(r, idleMs));
  const idle = process.cpuUsage(cpu0);
  const idleCpuPct = ((idle.user + idle.system) / 1000 / idleMs) * 100;

  const { entities } = readEntities(estate);
  const latencies: number[] = [];
  const evaluatedBefore = context.live.stats.entities;
  const step = Math.max(1, Math.floor(entities.length / (changes * 2)));
  for (
    let i = 0;
    latencies.length < changes && i < entities.length;
    i += step
  ) {
    const id = entities[i].name;
    const ns = `team-${i % 50}-ns${Math.floor(i / 1000)}`;
    const path_ = `/apis/apps/v1/namespaces/${ns}/deployments/${id}`;
    const got = await kube(url, 'GET', path_);
    if (got.status !== 200) continue; // a StatefulSet
    const obj = got.body;
    const container = obj.spec.template.spec.containers[0];
    container.securityContext = {
      ...container.securityContext,
      privileged: true,
    };
    const put = await kube(url, 'PUT', path_, obj);
    if (put.status !== 200) throw new Error(`PUT ${path_}: ${put.status}`);
    const changedAt = performance.now();
    const ref = entities[i].ref;
    for (;;) {
      const posture = await context.postureStore.get(ref);
      const failing = posture?.results.some(
        r =>
          r.checkId === 'sc.privileged' &&
          r.status === 'fail' &&
          r.resource.name === id,
      );
      if (failing) break;
      if (performance.now() - changedAt > 120_000) {
        throw new Error(`${ref}: the change did not show within 120 s`);
      }
      await new Promise(r => setTimeout(r, 20));
    }
    latencies.push(performance.now() - changedAt);
    await new Promise(r => setTimeout(r, 300));
  }
  controller.abort();
  await following;
  latencies.sort((a, b) => a - b);
  const p95 =
    latencies[
      Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.95) - 1)
    ];
  emit({
    firstEvaluationMs: firstMs,
    idleCpuPct,
    changes: latencies.length,
    p50Ms: latencies[Math.floor(latencies.length / 2)],
    p95Ms: p95,
    maxMs: latencies[latencies.length - 1],
    entitiesPerChange:
      (context.live.stats.entities - evaluatedBefore) / latencies.length,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  });
  await drop();
}

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  switch (mode) {
    case 'floor':
      return floor(args[0]);
    case 'plain-floor':
      return plainFloor(args[0], args[1] === 'keep');
    case 'scan':
      return scan(args[0]);
    case 'check-times':
      return checkTimes(args[0]);
    case 'evaluate':
      return evaluateFrom(args[0], manifests(args[0]));
    case 'live':
      return live(args[0], args[1]);
    case 'serve-k8s':
      return serveKubernetes(args[0]);
    case 'serve-api':
      return serveApi(args[0], args[1]);
    case 'follow':
      return follow(args[0], args[1], args[2], Number(args[3] ?? 20));
    case 'load':
      return load(args[0], args[1], Number(args[2]), Number(args[3]));
    case 'sweep':
      return sweep(Number(args[0]));
    case 'during-evaluation':
      return duringEvaluation(args[0]);
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

main().catch(e => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
