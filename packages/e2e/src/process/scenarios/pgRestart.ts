/*
 * pg-restart: a private PostgreSQL cluster (initdb, its own port) stopped
 * under load and started again, the backend in production mode. While it is
 * down requests fail cleanly (a 503 naming what is unavailable, no stack
 * trace, no hang, no crash); after, they succeed, and nothing written before
 * is lost.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { findPgBin, pgDatabase, PrivatePostgres } from '../../harness/postgres';
import { check, pool, sleep, waitFor } from '../../harness/util';
import { ApiResult, TestBackend } from '../TestBackend';
import { LOAD_USERS, USERS } from '../users';
import { auditOf, viewRequest } from '../api';
import { Scenario, ScenarioContext } from './types';

/** When a request started; those in flight as PostgreSQL stops or starts may go either way. */
type Phase = 'up' | 'stopping' | 'down' | 'restarting' | 'after';

const sample = (value: unknown) => JSON.stringify(value ?? null).slice(0, 300);

async function underLoad(
  { work, artifacts, log }: ScenarioContext,
  postgres: PrivatePostgres,
): Promise<void> {
  // Run as a deployment does (NODE_ENV=production), so the error bodies
  // checked below are the ones production callers see.
  const backend = new TestBackend(
    'pg-restart',
    {
      database: pgDatabase(postgres.connectionString, 'guardrails_restart_'),
      grantsDirectory: join(work, 'grants'),
      production: true,
    },
    artifacts,
  ).start();
  try {
    await backend.ready();
    for (const u of USERS) await backend.token(u);
    // Signed in before the load, as sign-in needs the database too.
    await pool(LOAD_USERS, 8, u => backend.token(u));

    // Load: requests created and read back, lists and audit, four at a time.
    const created: string[] = [];
    const outcomes: Record<'up' | 'down' | 'after' | 'between', ApiResult[]> = {
      up: [],
      down: [],
      after: [],
      between: [],
    };
    let phase: Phase = 'up';
    let running = true;
    let n = 0;
    let posts = 0;
    const worker = async (w: number) => {
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
        const settled = phase;
        const steady =
          settled === 'up' || settled === 'down' || settled === 'after';
        outcomes[steady && settled === startPhase ? settled : 'between'].push(
          res,
        );
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
      } failed requests while PostgreSQL was down or restarting did not fail cleanly, e.g. ${sample(
        unclean[0],
      )}`,
    );
    // Production error bodies name the problem and nothing more: no stack
    // trace (development mode adds one), for the 503s and for 4xx alike.
    const anonymous = await fetch(
      `${backend.baseUrl}/api/security-guardrails/access-requests`,
    );
    const probes: Array<[number, Pick<ApiResult, 'status' | 'body'>]> = [
      [400, await backend.api('dana', 'POST', '/access-requests', {})],
      [
        404,
        await backend.api('dana', 'GET', `/access-requests/${randomUUID()}`),
      ],
      [
        401,
        {
          status: anonymous.status,
          body: await anonymous.json().catch(() => ({})),
        },
      ],
    ];
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
      } error bodies carry a stack trace in production mode, e.g. ${sample(
        withStack[0]?.body,
      )}`,
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
      `${firstUp.length} requests failed before the stop, e.g. ${sample(
        firstUp[0],
      )}`,
    );

    // Nothing written before (or after) is lost: every 201 is still there, with its audit.
    const events = await auditOf(backend, created);
    for (const id of created) {
      const got = await backend.ok('sam', 'GET', `/access-requests/${id}`);
      check(got.id === id, `request ${id} lost`);
      check(
        events.get(id)?.some(e => e.event === 'requested'),
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
    await backend.stop();
  }
}

export const pgRestart: Scenario = {
  name: 'pg-restart',
  description:
    'PostgreSQL stopped under load: clean 503s, recovery, nothing lost',
  async run(context) {
    const bin = findPgBin();
    if (!bin) return 'no initdb (set PG_BIN to a PostgreSQL bin directory)';
    const postgres = new PrivatePostgres(
      context.work,
      bin,
      TestBackend.takePort() + 1000,
    );
    await postgres.init();
    await postgres.start();
    try {
      return await underLoad(context, postgres);
    } finally {
      await postgres.stop().catch(() => {
        // already stopped
      });
    }
  },
};
