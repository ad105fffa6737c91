/*
 * sigkill, on SQLite: grants are active, some expire while the backend is
 * down after a SIGKILL. After the restart every expired grant is revoked
 * within one sweep interval, none twice, the others keep their RoleBindings,
 * and the audit history is complete.
 */
import { join } from 'node:path';
import { check, sleep, waitFor } from '../../harness/util';
import { TestBackend, SWEEP_SECONDS } from '../TestBackend';
import { LOAD_USERS } from '../users';
import {
  auditOf,
  bindingFiles,
  expectEvents,
  states,
  viewRequest,
} from '../api';
import { Scenario } from './types';

export const sigkill: Scenario = {
  name: 'sigkill',
  description:
    'grants expire while the backend is killed; revoked once after restart',
  async run({ work, artifacts, log }) {
    const grantsDirectory = join(work, 'grants');
    const options = {
      grantsDirectory,
      database: {
        client: 'better-sqlite3',
        connection: { directory: join(work, 'sqlite') },
      },
    };
    const first = new TestBackend('sigkill-1', options, artifacts).start();
    const backends = [first];
    try {
      await first.ready();
      log('sigkill: backend up; granting 3 one-minute and 2 one-hour grants');
      const short: string[] = [];
      const long: string[] = [];
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
        async () => {
          const s = [...(await states(first, all)).values()];
          return s.every(v => v === 'active') || s.join(',');
        },
        30_000,
      );
      check(
        bindingFiles(grantsDirectory).length === 5,
        'five RoleBinding files',
      );
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

      const second = new TestBackend(
        'sigkill-2',
        { ...options, port: first.port },
        artifacts,
      ).start();
      backends.push(second);
      await second.ready({ posture: false });
      // Counted from the first moment the restarted backend answered at all.
      const upAt = second.healthyAt ?? Date.now();
      await waitFor(
        'expired grants revoked after restart',
        async () => {
          const s = [...(await states(second, short)).values()];
          return s.every(v => v === 'expired') || s.join(',');
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
        expectEvents(events, id, [
          'requested',
          'approved',
          'applied',
          'expired',
        ]);
      for (const id of long)
        expectEvents(events, id, ['requested', 'approved', 'applied']);
      const longStates = [...(await states(second, long)).values()];
      check(
        longStates.every(s => s === 'active'),
        `long grants: ${longStates}`,
      );
      log(
        `sigkill: ok (3 expired grants revoked ${revokedAfter.toFixed(
          1,
        )} s after the restart answered; sweep interval ${SWEEP_SECONDS} s)`,
      );
    } finally {
      for (const b of backends) await b.stop();
    }
  },
};
