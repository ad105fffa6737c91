#!/usr/bin/env node
/*
 * Process-level reliability tests: real backend processes (`yarn workspace
 * backend start`, as `./portal start` runs it), killed, doubled and starved
 * of their database, driven over HTTP with real user tokens from the demo
 * sign-in provider.
 *
 *   sigkill     SQLite. Grants are active, some expire while the backend is
 *               down after a SIGKILL: after restart every expired grant is
 *               revoked within one sweep interval, none twice, the others keep
 *               their RoleBindings, and the audit history is complete.
 *   replicas    Two backend processes on one PostgreSQL database. 200 grants of
 *               one minute, created through both: each is applied once and
 *               revoked once, with exactly the audit events it should have.
 *   pg-restart  A private PostgreSQL cluster (initdb, its own port) stopped under
 *               load and started again, the backend in production mode: while it
 *               is down requests fail cleanly (a 503 naming what is unavailable,
 *               no stack trace, no hang, no crash); after, they succeed, and
 *               nothing written before is lost.
 *
 * Usage: node scripts/process-tests.mjs [--only sigkill,replicas,pg-restart]
 * Environment: BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING (default
 * postgresql://postgres@127.0.0.1:5432) for `replicas`; PG_BIN (default: the
 * newest /usr/lib/postgresql/<version>/bin) for `pg-restart`;
 * PROCESS_TEST_PORT (default 7210; each backend takes the next port).
 *
 * Exit code 1 when any scenario fails, or when one cannot run (no PostgreSQL,
 * no initdb) under CI=true. Logs of every backend go to artifacts/process/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gradingState, spawnBackend } from './backend-process.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const requireFromBackend = createRequire(join(root, 'packages/backend/'));
const pg = requireFromBackend('pg');
const artifacts = join(root, 'artifacts', 'process');
const SWEEP_SECONDS = 5;
const USERS = ['dana', 'riley', 'pat', 'sam'];
// People who each ask for grants under load: the same access is refused
// while a first identical request is pending or held, so each grant of a
// scenario is asked by its own person (generated into the test's catalog).
const LOAD_USERS = Array.from(
  { length: 600 },
  (_, i) => `load-${String(i).padStart(3, '0')}`,
);
const loadUsersFile = join(artifacts, 'load-users.yaml');

function writeLoadUsers() {
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(
    loadUsersFile,
    LOAD_USERS.map(
      name =>
        `apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ${name}\nspec:\n  profile:\n    email: ${name}@example.com\n  memberOf: []\n`,
    ).join('---\n'),
  );
}
const STOREFRONT = 'component:default/storefront';
let nextPort = Number(process.env.PROCESS_TEST_PORT ?? 7210);

const sleep = ms => new Promise(r => setTimeout(r, ms));
const log = message => console.log(`[process] ${message}`);

class Failure extends Error {}
function check(condition, message) {
  if (!condition) throw new Failure(message);
}

// --- a backend process -------------------------------------------------------

class Backend {
  constructor(name, { database, grantsDirectory, port, production = false }) {
    this.name = name;
    this.production = production;
    this.port = port ?? nextPort++;
    this.baseUrl = `http://localhost:${this.port}`;
    this.database = database;
    this.grantsDirectory = grantsDirectory;
    this.tokens = new Map();
    this.logPath = join(artifacts, `${name}.log`);
    this.log = [];
  }

  start() {
    const baseUrl = this.baseUrl;
    const override = {
      app: { baseUrl },
      backend: {
        baseUrl,
        listen: { port: this.port },
        cors: { origin: baseUrl },
        database: this.database,
      },
      // Every test user signs in through the demo personas provider.
      demoSignIn: {
        personas: [...USERS, ...LOAD_USERS].map(u => ({
          provider: 'demo',
          userEntityRef: `user:default/${u}`,
          title: u,
          description: u,
        })),
      },
      catalog: {
        locations: [
          ...['org', 'systems', 'services'].map(f => ({
            type: 'file',
            target: join(root, `examples/catalog/${f}.yaml`),
          })),
          { type: 'file', target: loadUsersFile },
        ],
      },
      securityGuardrails: {
        clusters: [
          {
            name: 'demo',
            type: 'manifests',
            paths: [join(root, 'examples/cluster/demo')],
            grantsDirectory: this.grantsDirectory,
          },
        ],
        access: {
          maxActiveGrantsPerUser: 1000,
          sweepFrequency: { seconds: SWEEP_SECONDS },
        },
      },
      // Production mode turns the demo provider off; the test users still need it.
      ...(this.production && {
        auth: {
          providers: { demo: { dangerouslyAllowOutsideDevelopment: true } },
        },
      }),
    };
    writeLoadUsers();
    const overridePath = join(artifacts, `${this.name}.config.yaml`);
    this.exited = false;
    this.healthyAt = undefined;
    this.child = spawnBackend(
      root,
      override,
      overridePath,
      this.production ? { NODE_ENV: 'production' } : {},
    );
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream.on('data', chunk => this.log.push(String(chunk)));
    }
    this.exitPromise = new Promise(resolveExit =>
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        this.exitCode = code ?? signal;
        resolveExit();
      }),
    );
    this.tokens.clear();
    return this;
  }

  saveLog() {
    writeFileSync(this.logPath, this.log.join(''));
  }

  /**
   * Up, the catalog has the demo users (sign-in resolves through it) and,
   * with `posture`, every demo service is graded (GET /status). Fails at once
   * with the backend's reason when a service waits for something that will
   * not come, and with the last answer when time runs out.
   */
  async ready({ timeoutMs = 240_000, posture = true } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.exited) {
        this.saveLog();
        throw new Failure(
          `${this.name} exited during start-up (${this.logPath})`,
        );
      }
      try {
        const res = await fetch(
          `${this.baseUrl}/api/security-guardrails/health`,
        );
        if (res.ok) this.healthyAt ??= Date.now();
        // The catalog has the demo users and the generated ones.
        const signedIn =
          res.ok &&
          (await this.signIn('sam')).ok &&
          (await this.signIn(LOAD_USERS[LOAD_USERS.length - 1])).ok;
        if (signedIn) {
          if (!posture) return;
          const state = await gradingState(
            this.baseUrl,
            await this.token('sam'),
          );
          last = state.last;
          if (state.ready) return;
          if (state.stuck) {
            this.saveLog();
            throw new Failure(`${this.name}: ${state.stuck} (${this.logPath})`);
          }
        }
      } catch (error) {
        if (error instanceof Failure) throw error;
        // not listening yet
      }
      await sleep(500);
    }
    this.saveLog();
    throw new Failure(
      `${this.name} did not grade the demo within ${
        timeoutMs / 1000
      } s; last answer: ${last} (${this.logPath})`,
    );
  }

  /** Stops the whole process group: SIGKILL leaves no chance to clean up. */
  async stop(signal = 'SIGTERM') {
    if (!this.child || this.exited) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // already gone
    }
    await Promise.race([this.exitPromise, sleep(15_000)]);
    if (!this.exited) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // gone
      }
      await this.exitPromise;
    }
    this.saveLog();
  }

  alive() {
    if (this.exited || !this.child) return false;
    try {
      process.kill(this.child.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  signIn(user) {
    return fetch(`${this.baseUrl}/api/auth/demo/refresh`, {
      headers: { 'x-demo-user': `user:default/${user}` },
    });
  }

  async token(user) {
    if (!this.tokens.has(user)) {
      const res = await this.signIn(user);
      const body = await res.json().catch(() => ({}));
      check(
        res.ok && body.backstageIdentity?.token,
        `${this.name}: no token for ${user} (${res.status} ${JSON.stringify(
          body,
        )})`,
      );
      this.tokens.set(user, body.backstageIdentity.token);
    }
    return this.tokens.get(user);
  }

  /** One API call; network errors and timeouts come back as status 0. */
  async api(user, method, path, body, timeoutMs = 20_000) {
    const started = Date.now();
    try {
      const res = await fetch(
        `${this.baseUrl}/api/security-guardrails${path}`,
        {
          method,
          headers: {
            authorization: `Bearer ${await this.token(user)}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(timeoutMs),
        },
      );
      const text = await res.text();
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = { raw: text.slice(0, 200) };
      }
      return { status: res.status, body: json, ms: Date.now() - started };
    } catch (error) {
      return {
        status: 0,
        body: { error: { message: String(error.cause ?? error) } },
        ms: Date.now() - started,
      };
    }
  }

  async ok(user, method, path, body, want = 200) {
    const res = await this.api(user, method, path, body);
    check(
      res.status === want,
      `${this.name}: ${method} ${path} as ${user}: ${
        res.status
      } ${JSON.stringify(res.body).slice(0, 300)}`,
    );
    return res.body;
  }
}

// --- helpers over the API ----------------------------------------------------

function viewRequest(durationSeconds, n) {
  return {
    entityRef: STOREFRONT,
    role: 'view',
    cluster: 'demo',
    namespaces: ['shop-web'],
    durationSeconds,
    justification: `Process test grant ${n}: reading pod logs`,
  };
}

async function waitFor(what, fn, timeoutMs, intervalMs = 500) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last === true) return;
    await sleep(intervalMs);
  }
  throw new Failure(`${what} (after ${timeoutMs / 1000} s: ${last})`);
}

/** Each request's audit events, in order, as a security lead reads them. */
async function auditOf(backend, ids) {
  const events = new Map(ids.map(id => [id, []]));
  let cursor;
  for (;;) {
    const page = await backend.ok(
      'sam',
      'GET',
      `/audit?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
    );
    for (const e of page.items) events.get(e.requestId)?.push(e);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  for (const list of events.values()) list.sort((a, b) => a.id - b.id);
  return events;
}

function expectEvents(events, id, expected) {
  const got = (events.get(id) ?? []).map(e => e.event);
  check(
    JSON.stringify(got) === JSON.stringify(expected),
    `audit of ${id}: ${got.join(', ')}; want ${expected.join(', ')}`,
  );
}

function bindingFiles(dir) {
  const found = [];
  const walk = d => {
    if (!existsSync(d)) return;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(d, entry.name));
      else if (entry.name.endsWith('.yaml')) found.push(entry.name);
    }
  };
  walk(dir);
  return found;
}

async function states(backend, ids) {
  const out = new Map();
  for (const id of ids) {
    out.set(
      id,
      (await backend.ok('sam', 'GET', `/access-requests/${id}`)).state,
    );
  }
  return out;
}

async function pool(items, concurrency, fn) {
  const results = [];
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < items.length) {
        const index = i++;
        results[index] = await fn(items[index], index);
      }
    }),
  );
  return results;
}

// --- scenarios ---------------------------------------------------------------

async function sigkill(work) {
  const grantsDirectory = join(work, 'grants');
  const options = {
    grantsDirectory,
    database: {
      client: 'better-sqlite3',
      connection: { directory: join(work, 'sqlite') },
    },
  };
  const first = new Backend('sigkill-1', options).start();
  const backends = [first];
  try {
    await first.ready();
    log('sigkill: backend up; granting 3 one-minute and 2 one-hour grants');
    const short = [];
    const long = [];
    for (let n = 0; n < 5; n++) {
      const created = await first.ok(
        LOAD_USERS[n],
        'POST',
        '/access-requests',
        viewRequest(n < 3 ? 60 : 3600, n),
        201,
      );
      (n < 3 ? short : long).push(created.id);
    }
    const all = [...short, ...long];
    await waitFor(
      'all five grants active',
      async () =>
        [...(await states(first, all)).values()].every(s => s === 'active') ||
        [...(await states(first, all)).values()].join(','),
      30_000,
    );
    check(bindingFiles(grantsDirectory).length === 5, 'five RoleBinding files');
    const expiries = await Promise.all(
      short.map(async id =>
        Date.parse(
          (
            await first.ok('sam', 'GET', `/access-requests/${id}`)
          ).expiresAt,
        ),
      ),
    );

    await first.stop('SIGKILL');
    check(!first.alive(), 'the backend survived SIGKILL');
    const downUntil = Math.max(...expiries) + 2000;
    log(
      `sigkill: killed with SIGKILL; down for ${Math.round(
        (downUntil - Date.now()) / 1000,
      )} s while the one-minute grants expire`,
    );
    await sleep(Math.max(0, downUntil - Date.now()));
    check(
      bindingFiles(grantsDirectory).length === 5,
      'RoleBindings changed while the backend was down',
    );

    const second = new Backend('sigkill-2', {
      ...options,
      port: first.port,
    }).start();
    backends.push(second);
    await second.ready({ posture: false });
    // Counted from the first moment the restarted backend answered at all.
    const upAt = second.healthyAt;
    await waitFor(
      'expired grants revoked after restart',
      async () => {
        const s = await states(second, short);
        return (
          [...s.values()].every(v => v === 'expired') ||
          [...s.values()].join(',')
        );
      },
      // One sweep interval, plus the scheduler's tick and the HTTP round trips.
      (SWEEP_SECONDS + 5) * 1000,
      200,
    );
    const revokedAfter = (Date.now() - upAt) / 1000;
    check(
      revokedAfter <= SWEEP_SECONDS + 5,
      `revoked ${revokedAfter} s after the restart; the sweep runs every ${SWEEP_SECONDS} s`,
    );
    check(
      bindingFiles(grantsDirectory).length === 2,
      `${
        bindingFiles(grantsDirectory).length
      } RoleBinding files left; want the 2 long grants'`,
    );
    // Two more sweeps: nothing is revoked twice, the long grants stay.
    await sleep(2 * SWEEP_SECONDS * 1000);
    const events = await auditOf(second, all);
    for (const id of short)
      expectEvents(events, id, ['requested', 'approved', 'applied', 'expired']);
    for (const id of long)
      expectEvents(events, id, ['requested', 'approved', 'applied']);
    const longStates = await states(second, long);
    check(
      [...longStates.values()].every(s => s === 'active'),
      `long grants: ${[...longStates.values()]}`,
    );
    log(
      `sigkill: ok (3 expired grants revoked ${revokedAfter.toFixed(
        1,
      )} s after the restart answered; sweep interval ${SWEEP_SECONDS} s)`,
    );
  } finally {
    for (const b of backends) await b.stop();
  }
}

async function withDatabasePrefix(connectionString, fn) {
  const prefix = `guardrails_proc_${process.pid}_`;
  const admin = new pg.Client({ connectionString });
  const dropAll = async () => {
    const { rows } = await admin.query(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${prefix}%`],
    );
    for (const { datname } of rows)
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  };
  await admin.connect();
  try {
    await dropAll();
    return await fn(prefix);
  } finally {
    await dropAll().catch(e => log(`could not drop ${prefix}*: ${e.message}`));
    await admin.end();
  }
}

function pgDatabase(connectionString, prefix) {
  const url = new URL(connectionString);
  return {
    client: 'pg',
    prefix,
    connection: {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username || 'postgres'),
      password: decodeURIComponent(url.password || ''),
    },
  };
}

async function replicas(work, connectionString) {
  const GRANTS = 200;
  await withDatabasePrefix(connectionString, async prefix => {
    const grantsDirectory = join(work, 'grants');
    const database = pgDatabase(connectionString, prefix);
    const one = new Backend('replica-1', { database, grantsDirectory }).start();
    // The second starts once the first has created the schema, as a rolling deploy would.
    await one.ready();
    const two = new Backend('replica-2', { database, grantsDirectory }).start();
    const both = [one, two];
    try {
      await two.ready();
      log(
        `replicas: both up on ${prefix}*; creating ${GRANTS} one-minute grants through both`,
      );
      const ids = await pool(
        Array.from({ length: GRANTS }, (_, n) => n),
        8,
        async n => {
          const created = await both[n % 2].ok(
            LOAD_USERS[n],
            'POST',
            '/access-requests',
            viewRequest(60, n),
            201,
          );
          return created.id;
        },
      );
      check(new Set(ids).size === GRANTS, 'request ids are unique');
      const countActive = async () => {
        const page = await one.ok('sam', 'GET', '/grants');
        return page.items.length;
      };
      await waitFor(
        `all ${GRANTS} grants active`,
        async () =>
          (await countActive()) === GRANTS || `${await countActive()} active`,
        60_000,
        1000,
      );
      check(
        bindingFiles(grantsDirectory).length === GRANTS,
        `${
          bindingFiles(grantsDirectory).length
        } RoleBinding files for ${GRANTS} grants`,
      );
      log('replicas: all applied; waiting for them to expire');
      await waitFor(
        `all ${GRANTS} grants expired`,
        async () => {
          const n = await countActive();
          return n === 0 || `${n} still active`;
        },
        150_000,
        2000,
      );
      await sleep(2 * SWEEP_SECONDS * 1000);
      check(
        bindingFiles(grantsDirectory).length === 0,
        `${bindingFiles(grantsDirectory).length} RoleBinding files left`,
      );
      const events = await auditOf(two, ids);
      let total = 0;
      for (const id of ids) {
        expectEvents(events, id, [
          'requested',
          'approved',
          'applied',
          'expired',
        ]);
        total += events.get(id).length;
      }
      check(total === 4 * GRANTS, `${total} audit events; want ${4 * GRANTS}`);
      const appliedBy = new Set(
        [...events.values()].flatMap(list =>
          list
            .filter(e => e.event === 'applied')
            .map(e => e.details?.bindings?.[0]),
        ),
      );
      check(appliedBy.size === GRANTS, 'one RoleBinding per grant');
      check(one.alive() && two.alive(), 'a replica died');
      log(
        `replicas: ok (${GRANTS} grants, each applied once and expired once; ${total} audit events)`,
      );
    } finally {
      for (const b of both) await b.stop();
    }
  });
}

function findPgBin() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter(v => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : undefined;
}

/** A throw-away PostgreSQL cluster on its own port, run as `postgres` when we are root. */
class PrivatePostgres {
  constructor(work, bin, port) {
    this.bin = bin;
    this.port = port;
    this.dir = join(work, 'pgdata');
    this.socketDir = join(work, 'pgsock');
    this.asRoot = process.getuid?.() === 0;
  }

  /** Runs a PostgreSQL tool without blocking the event loop (the load goes on meanwhile). */
  run(tool, args) {
    const cmd = join(this.bin, tool);
    const [file, argv] = this.asRoot
      ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]]
      : [cmd, args];
    return new Promise((resolveRun, reject) => {
      const child = spawn(file, argv);
      let output = '';
      child.stdout.on('data', c => (output += c));
      child.stderr.on('data', c => (output += c));
      child.on('error', reject);
      child.on('exit', code =>
        code === 0
          ? resolveRun()
          : reject(new Failure(`${tool} ${args.join(' ')}: ${output}`)),
      );
    });
  }

  init() {
    for (const d of [this.dir, this.socketDir]) {
      mkdirSync(d, { recursive: true });
      if (this.asRoot) {
        const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
        const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
        chownSync(d, Number(id.stdout), Number(gid.stdout));
      }
      chmodSync(d, 0o700);
    }
    if (this.asRoot) chmodSync(dirname(this.dir), 0o755);
    return this.run('initdb', [
      '-D',
      this.dir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
    ]);
  }

  start() {
    return this.run('pg_ctl', [
      '-D',
      this.dir,
      '-l',
      join(this.dir, 'server.log'),
      '-w',
      '-o',
      `-p ${this.port} -k ${this.socketDir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  }

  stop() {
    return this.run('pg_ctl', ['-D', this.dir, '-m', 'fast', '-w', 'stop']);
  }

  get connectionString() {
    return `postgresql://postgres@127.0.0.1:${this.port}`;
  }
}

async function pgRestart(work, bin) {
  const postgres = new PrivatePostgres(work, bin, nextPort++ + 1000);
  await postgres.init();
  await postgres.start();
  let backend;
  try {
    // Run as a deployment does (NODE_ENV=production), so the error bodies
    // checked below are the ones production callers see.
    backend = new Backend('pg-restart', {
      database: pgDatabase(postgres.connectionString, 'guardrails_restart_'),
      grantsDirectory: join(work, 'grants'),
      production: true,
    }).start();
    await backend.ready();
    for (const u of USERS) await backend.token(u);
    // Signed in before the load, as sign-in needs the database too.
    await pool(LOAD_USERS, 8, u => backend.token(u));

    // Load: requests created and read back, lists and audit, four at a time.
    const created = [];
    // Phases by when a request started; those in flight as it stops may go either way.
    const outcomes = { up: [], down: [], after: [], between: [] };
    let phase = 'up';
    let running = true;
    let n = 0;
    let posts = 0;
    const worker = async w => {
      while (running) {
        const i = n++;
        // Each grant asked by its own person; past them, reads only.
        const user = w % 2 === 0 ? LOAD_USERS[posts++] : undefined;
        const startPhase = phase;
        const res = user
          ? await backend.api(
              user,
              'POST',
              '/access-requests',
              viewRequest(3600, i),
              15_000,
            )
          : await backend.api(
              'sam',
              'GET',
              '/audit?limit=20',
              undefined,
              15_000,
            );
        // Requests that started in one phase and ended in another were in flight across a change.
        outcomes[
          phase === startPhase && outcomes[phase] ? phase : 'between'
        ].push(res);
        if (res.status === 201) created.push(res.body.id);
        await sleep(50);
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    await sleep(8000);
    log(
      `pg-restart: ${created.length} requests created under load; stopping PostgreSQL`,
    );
    phase = 'stopping';
    await postgres.stop();
    phase = 'down';
    await sleep(10_000);
    phase = 'restarting';
    await postgres.start();
    phase = 'after';
    log('pg-restart: PostgreSQL started again');
    const restartedAt = Date.now();
    await waitFor(
      'requests succeed after PostgreSQL is back',
      async () => {
        const res = await backend.api(
          'dana',
          'GET',
          '/access-requests?limit=1',
        );
        return (
          res.status === 200 ||
          `${res.status} ${JSON.stringify(res.body).slice(0, 200)}`
        );
      },
      60_000,
    );
    const recoveredIn = (Date.now() - restartedAt) / 1000;
    await sleep(5000);
    running = false;
    await load;

    check(backend.alive(), 'the backend died while PostgreSQL was down');
    const down = outcomes.down;
    const inFlight = [...outcomes.between, ...outcomes.after].filter(
      r => r.status >= 300,
    );
    check(down.length > 0, 'no requests were made while PostgreSQL was down');
    const unclean = [...down, ...inFlight].filter(
      r =>
        !(
          r.status === 503 &&
          /is unavailable right now/.test(r.body?.error?.message ?? '')
        ),
    );
    check(
      unclean.length === 0,
      `${unclean.length} of ${
        down.length + inFlight.length
      } failed requests while PostgreSQL was down or restarting did not fail cleanly, e.g. ${JSON.stringify(
        unclean[0] ?? null,
      ).slice(0, 300)}`,
    );
    // Production error bodies name the problem and nothing more: no stack
    // trace (development mode adds one), for the 503s and for 4xx alike.
    const probes = [
      [400, await backend.api('dana', 'POST', '/access-requests', {})],
      [
        404,
        await backend.api('dana', 'GET', `/access-requests/${randomUUID()}`),
      ],
    ];
    const anonymous = await fetch(
      `${backend.baseUrl}/api/security-guardrails/access-requests`,
    );
    probes.push([
      401,
      {
        status: anonymous.status,
        body: await anonymous.json().catch(() => ({})),
      },
    ]);
    for (const [want, res] of probes)
      check(
        res.status === want,
        `probe: expected ${want}, got ${res.status} ${JSON.stringify(
          res.body,
        ).slice(0, 200)}`,
      );
    const withStack = [
      ...down,
      ...inFlight,
      ...probes.map(([, res]) => res),
    ].filter(r => r.body?.error?.stack !== undefined);
    check(
      withStack.length === 0,
      `${
        withStack.length
      } error bodies carry a stack trace in production mode, e.g. ${JSON.stringify(
        withStack[0]?.body ?? null,
      ).slice(0, 300)}`,
    );
    const slowest = Math.max(...down.map(r => r.ms));
    check(
      slowest < 15_000,
      `a request hung for ${slowest} ms while PostgreSQL was down`,
    );
    const lateOk = outcomes.after.filter(r => r.status < 300).length;
    check(lateOk > 0, 'nothing succeeded after PostgreSQL came back');
    const firstUp = outcomes.up.filter(r => r.status >= 300);
    check(
      firstUp.length === 0,
      `${firstUp.length} requests failed before the stop, e.g. ${JSON.stringify(
        firstUp[0] ?? null,
      ).slice(0, 300)}`,
    );

    // Nothing written before (or after) is lost: every 201 is still there, with its audit.
    const events = await auditOf(backend, created);
    for (const id of created) {
      const got = await backend.ok('sam', 'GET', `/access-requests/${id}`);
      check(got.id === id, `request ${id} lost`);
      check(
        events.get(id).some(e => e.event === 'requested'),
        `request ${id} lost its audit history`,
      );
    }
    log(
      `pg-restart: ok (${outcomes.up.length} requests before, ${down.length} failed cleanly while down ` +
        `(slowest ${slowest} ms), recovered ${recoveredIn.toFixed(
          1,
        )} s after the restart, ` +
        `${created.length} requests kept)`,
    );
  } finally {
    await backend?.stop();
    await postgres.stop().catch(() => {
      // already stopped
    });
  }
}

// --- main --------------------------------------------------------------------

const onlyIndex = process.argv.indexOf('--only');
const wanted = new Set(
  onlyIndex > 0
    ? process.argv[onlyIndex + 1].split(',')
    : ['sigkill', 'replicas', 'pg-restart'],
);
rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'guardrails-process-'));
chmodSync(work, 0o755);
const pgUrl =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';
const strict = process.env.CI === 'true';

async function reachable(connectionString) {
  const client = new pg.Client({
    connectionString,
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const scenarios = [
  ['sigkill', () => sigkill(join(work, 'sigkill'))],
  [
    'replicas',
    async () => {
      if (!(await reachable(pgUrl)))
        return `no PostgreSQL at ${pgUrl.replace(/\/\/.*@/, '//…@')}`;
      return replicas(join(work, 'replicas'), pgUrl);
    },
  ],
  [
    'pg-restart',
    async () => {
      const bin = findPgBin();
      if (!bin) return 'no initdb (set PG_BIN to a PostgreSQL bin directory)';
      return pgRestart(join(work, 'pg-restart'), bin);
    },
  ],
];

let failed = false;
for (const [name, run] of scenarios) {
  if (!wanted.has(name)) continue;
  mkdirSync(join(work, name), { recursive: true });
  const started = Date.now();
  try {
    const skipped = await run();
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (skipped) {
      log(`${strict ? 'FAIL' : 'SKIP'}  ${name}: cannot run: ${skipped}`);
      if (strict) failed = true;
    } else {
      log(`ok    ${name} (${seconds} s)`);
    }
  } catch (error) {
    failed = true;
    log(
      `FAIL  ${name}: ${
        error instanceof Failure ? error.message : error.stack
      }`,
    );
  }
}
if (!failed) rmSync(work, { recursive: true, force: true });
else log(`state kept in ${work}; backend logs in ${artifacts}`);
process.exit(failed ? 1 : 0);
