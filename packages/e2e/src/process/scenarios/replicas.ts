/*
 * replicas: two backend processes on one PostgreSQL database. 200 grants of
 * one minute, created through both: each is applied once and revoked once,
 * with exactly the audit events it should have.
 */
import { join } from 'node:path';
import {
  pgDatabase,
  reachable,
  withDatabasePrefix,
} from '../../harness/postgres';
import { check, pool, sleep, waitFor } from '../../harness/util';
import { TestBackend, SWEEP_SECONDS } from '../TestBackend';
import { LOAD_USERS } from '../users';
import { auditOf, bindingFiles, expectEvents, viewRequest } from '../api';
import { Scenario } from './types';

const GRANTS = 200;

/** The shared server the replicas use (the unit tests' PostgreSQL). */
const connectionString =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';

export const replicas: Scenario = {
  name: 'replicas',
  description: `two replicas on one PostgreSQL; ${GRANTS} grants applied and revoked once each`,
  async run({ work, artifacts, log }) {
    if (!(await reachable(connectionString)))
      return `no PostgreSQL at ${connectionString.replace(/\/\/.*@/, '//…@')}`;
    return withDatabasePrefix(
      connectionString,
      async prefix => {
        const grantsDirectory = join(work, 'grants');
        const database = pgDatabase(connectionString, prefix);
        const one = new TestBackend(
          'replica-1',
          { database, grantsDirectory },
          artifacts,
        ).start();
        // The second starts once the first has created the schema, as a rolling deploy would.
        const both = [one];
        try {
          await one.ready();
          const two = new TestBackend(
            'replica-2',
            { database, grantsDirectory },
            artifacts,
          ).start();
          both.push(two);
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
              return created.id as string;
            },
          );
          check(new Set(ids).size === GRANTS, 'request ids are unique');
          const countActive = async (): Promise<number> =>
            (await one.ok('sam', 'GET', '/grants')).items.length;
          await waitFor(
            `all ${GRANTS} grants active`,
            async () => {
              const n = await countActive();
              return n === GRANTS || `${n} active`;
            },
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
            total += events.get(id)?.length ?? 0;
          }
          check(
            total === 4 * GRANTS,
            `${total} audit events; want ${4 * GRANTS}`,
          );
          const appliedBindings = new Set(
            [...events.values()].flatMap(list =>
              list
                .filter(e => e.event === 'applied')
                .map(e => e.details?.bindings?.[0]),
            ),
          );
          check(appliedBindings.size === GRANTS, 'one RoleBinding per grant');
          check(one.alive() && two.alive(), 'a replica died');
          log(
            `replicas: ok (${GRANTS} grants, each applied once and expired once; ${total} audit events)`,
          );
        } finally {
          for (const b of both) await b.stop();
        }
      },
      log,
    );
  },
};
