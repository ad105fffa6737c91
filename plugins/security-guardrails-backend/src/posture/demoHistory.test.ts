import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import {
  CheckResult,
  scoreResults,
} from '@internal/backstage-plugin-security-guardrails-common';
import { mockServices } from '@backstage/backend-test-utils';
import { databaseServiceFor } from '../__testUtils__/database';
import { DatabasePostureStore } from './DatabasePostureStore';
import { DemoHistorySeeder } from './demoHistory';
import { PostureRecord } from './PostureStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const NOW = new Date('2026-12-04T15:00:00.000Z');
const DAY = 86_400_000;

function result(
  checkId: string,
  status: CheckResult['status'],
  name = 'app',
): CheckResult {
  return {
    checkId,
    status,
    severity: 'high',
    domain: 'implementation',
    resource: {
      cluster: 'demo',
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'shop',
      name,
    },
    container: 'app',
    message: status,
  };
}

function record(entityRef: string, results: CheckResult[]): PostureRecord {
  return {
    entityRef,
    evaluatedAt: NOW.toISOString(),
    stale: false,
    mapped: true,
    clusters: [{ cluster: 'demo', readAt: NOW.toISOString(), status: 'ok' }],
    score: scoreResults(results),
    results,
  };
}

/** Services with several passing and failing results, so each story has material. */
function estate(): PostureRecord[] {
  return ['a', 'b', 'c', 'd', 'e', 'f'].map(n =>
    record(`component:default/${n}`, [
      result('sc.privileged', 'pass', n),
      result('sc.non-root', 'pass', n),
      result('sc.readonly-rootfs', 'pass', n),
      result('sc.seccomp', 'pass', n),
      result('probe.readiness', 'fail', n),
      result('res.limits', 'fail', n),
    ]),
  );
}

let databaseId: TestDatabaseId = 'SQLITE_3';

async function seeded() {
  const knex = await databases.init(databaseId);
  const store = await DatabasePostureStore.create({
    database: databaseServiceFor(knex),
  });
  const seeder = new DemoHistorySeeder({
    store,
    days: 30,
    logger: mockServices.logger.mock(),
  });
  const records = estate();
  await seeder.seed(records, NOW);
  await store.save(records, NOW);
  return { store, seeder, records };
}

describe.each(databases.eachSupportedId())('DemoHistorySeeder on %s', id => {
  beforeAll(() => {
    databaseId = id as TestDatabaseId;
  });

  it('is seeded by one of two replicas, never twice', async () => {
    const knex = await databases.init(databaseId);
    const store = await DatabasePostureStore.create({
      database: databaseServiceFor(knex),
    });
    const replica = () =>
      new DemoHistorySeeder({
        store,
        days: 30,
        logger: mockServices.logger.mock(),
      });
    await Promise.all([
      replica().seed(estate(), NOW),
      replica().seed(estate(), NOW),
    ]);
    const points = await store.historyBetween(
      '2000-01-01T00:00:00Z',
      NOW.toISOString(),
    );
    const days = new Set(points.map(p => `${p.entityRef}|${p.at}`));
    expect(days.size).toBe(points.length);
    expect(points.length).toBeGreaterThan(0);
  });

  it('gives each new service 30 days of daily history, scored, ending in its real posture', async () => {
    const { store, records } = await seeded();
    const month = await store.historyBetween(
      new Date(NOW.getTime() - 31 * DAY).toISOString(),
      NOW.toISOString(),
    );
    // Every service has a point 30 days ago and changes since.
    for (const r of records) {
      const points = month.filter(p => p.entityRef === r.entityRef);
      expect(points.length).toBeGreaterThan(1);
      expect(Date.parse(points[0].at)).toBeLessThanOrEqual(
        NOW.getTime() - 29 * DAY,
      );
      // The newest point is today's real score.
      expect(points[points.length - 1].score).toBe(r.score.overall.score);
    }
    // Past scores were lower for the services whose fixes came later.
    const then = await store.scoresAt(
      new Date(NOW.getTime() - 29 * DAY).toISOString(),
    );
    const improved = records.filter(
      r => (then.get(r.entityRef)?.score ?? 101) < r.score.overall.score!,
    );
    expect(improved.length).toBeGreaterThan(0);
    // The stored posture is the real one, and failing results carry a past "failing since".
    const posture = await store.get(records[0].entityRef);
    expect(posture?.evaluatedAt).toBe(NOW.toISOString());
    const since = posture!.results
      .filter(r => r.status === 'fail')
      .map(r => Date.parse(r.failingSince!));
    expect(since.length).toBe(2);
    for (const t of since) {
      expect(t).toBeLessThan(NOW.getTime() - DAY);
    }
  });

  it('tells a different story per service, the same one every time', async () => {
    const first = await seeded();
    const second = await seeded();
    const scores = async (s: DatabasePostureStore) =>
      [...(await s.scoresAt(new Date(NOW.getTime() - 20 * DAY).toISOString()))]
        .sort()
        .map(([ref, p]) => [ref, p.score]);
    expect(await scores(first.store)).toEqual(await scores(second.store));
    expect(
      new Set((await scores(first.store)).map(x => x[1])).size,
    ).toBeGreaterThan(1);
  });

  it('seeds a service once: not again on a later save, nor after a restart', async () => {
    const { store, records } = await seeded();
    const before = await store.historyBetween(
      '2000-01-01T00:00:00Z',
      NOW.toISOString(),
    );
    const again = new DemoHistorySeeder({
      store,
      days: 30,
      logger: mockServices.logger.mock(),
    });
    await again.seed(records, new Date(NOW.getTime() + 60_000));
    const after = await store.historyBetween(
      '2000-01-01T00:00:00Z',
      NOW.toISOString(),
    );
    expect(after).toEqual(before);
  });
});
