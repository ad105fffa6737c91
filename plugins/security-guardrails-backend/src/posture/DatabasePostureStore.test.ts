import { gunzipSync } from 'node:zlib';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import {
  CheckResult,
  scoreResults,
} from '@internal/backstage-plugin-security-guardrails-common';
import { Knex } from 'knex';
import { databaseServiceFor } from '../__testUtils__/database';
import {
  migrateDownAll,
  migrateDownThrough,
  migrateUp,
} from '../database/migrate';
import { DatabasePostureStore } from './DatabasePostureStore';
import { PostureRecord } from './PostureStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

function result(
  checkId: string,
  status: CheckResult['status'],
  extra: Partial<CheckResult> = {},
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
      name: 'app',
    },
    container: 'app',
    message: status,
    ...extra,
  };
}

function record(
  entityRef: string,
  results: CheckResult[],
  extra: Partial<PostureRecord> = {},
): PostureRecord {
  return {
    entityRef,
    owner: 'group:default/team',
    system: 'system:default/shop',
    evaluatedAt: '2026-11-22T12:00:00.000Z',
    stale: false,
    mapped: true,
    clusters: [
      { cluster: 'demo', readAt: '2026-11-22T12:00:00.000Z', status: 'ok' },
    ],
    score: scoreResults(results),
    results,
    ...extra,
  };
}

const t = (day: number) => new Date(Date.UTC(2026, 10, day, 12));

describe.each(databases.eachSupportedId())(
  'DatabasePostureStore on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabasePostureStore;

    beforeEach(async () => {
      knex = await databases.init(databaseId as TestDatabaseId);
      store = await DatabasePostureStore.create({
        database: databaseServiceFor(knex),
      });
    });

    it('migrates up and down and up again', async () => {
      await migrateDownAll(knex);
      expect(await knex.schema.hasTable('guardrails_posture')).toBe(false);
      await migrateUp(knex);
      expect(await knex.schema.hasTable('guardrails_posture')).toBe(true);
      expect(await knex.schema.hasTable('guardrails_check_history')).toBe(true);
    });

    it('indexes the namespaces and clusters of postures stored before the facet index', async () => {
      await store.save([
        record('component:default/old', [result('sc.non-root', 'fail')]),
      ]);
      // As before migration 20261205100000: no facet table.
      await migrateDownThrough(knex, '20261205100000_posture_facets.js');
      expect(await knex.schema.hasTable('guardrails_posture_facets')).toBe(
        false,
      );
      await migrateUp(knex);
      const facets = await knex('guardrails_posture_facets')
        .where('entity_ref', 'component:default/old')
        .orderBy(['facet', 'value'])
        .select('facet', 'value');
      expect(facets).toEqual([
        { facet: 'cluster', value: 'demo' },
        { facet: 'namespace', value: 'shop' },
      ]);
    });

    it('does not let a full refresh overwrite a posture observed after its read began', async () => {
      const ref = 'component:default/a';
      const watched = record(ref, [result('sc.privileged', 'fail')], {
        observedAt: '2026-11-22T12:00:05.000Z',
      });
      await store.save([watched]);
      // The refresh read the cluster at 12:00:00, before the change.
      const refresh = record(ref, [result('sc.privileged', 'pass')], {
        observedAt: '2026-11-22T12:00:00.000Z',
        evaluatedAt: '2026-11-22T12:00:20.000Z',
      });
      const other = record('component:default/b', [], {
        observedAt: '2026-11-22T12:00:00.000Z',
      });
      const stats = await store.save([refresh, other], t(22), {
        keepNewer: true,
      });
      expect(stats).toMatchObject({ saved: 1, keptNewer: 1 });
      expect((await store.get(ref))?.results[0].status).toBe('fail');
      expect(await store.get('component:default/b')).toBeDefined();
      // A later state wins; so does any save that does not ask to keep newer.
      await store.save(
        [{ ...refresh, observedAt: '2026-11-22T12:00:06.000Z' }],
        t(22),
        {
          keepNewer: true,
        },
      );
      expect((await store.get(ref))?.results[0].status).toBe('pass');
      await store.save([watched]);
      expect((await store.get(ref))?.results[0].status).toBe('fail');
    });

    it('brings the planner statistics and the visibility map up to date on PostgreSQL', async () => {
      await store.save([
        record('component:default/a', [result('sc.non-root', 'fail')]),
      ]);
      await store.refreshStatistics();
      // SQLite: nothing to do, and no error.
      const postgres = databaseId === 'POSTGRES_15';
      const analyzed = postgres
        ? await knex('pg_stat_user_tables')
            .whereIn('relname', [
              'guardrails_posture',
              'guardrails_posture_failing',
            ])
            .whereNotNull('last_analyze')
            .whereNotNull('last_vacuum')
            .select('relname')
        : [];
      expect(analyzed).toHaveLength(postgres ? 2 : 0);
    });

    it('leaves the schema alone when the deployment manages migrations', async () => {
      await migrateDownAll(knex);
      await DatabasePostureStore.create({
        database: databaseServiceFor(knex, { skipMigrations: true }),
      });
      expect(await knex.schema.hasTable('guardrails_posture')).toBe(false);
    });

    it('stores the latest posture and reads it back with failing-since', async () => {
      await store.save(
        [
          record('component:default/app', [
            result('sc.privileged', 'fail'),
            result('sc.seccomp', 'pass'),
          ]),
        ],
        t(1),
      );
      await store.save(
        [
          record('component:default/app', [
            result('sc.privileged', 'fail'),
            result('sc.seccomp', 'pass'),
          ]),
        ],
        t(2),
      );
      const p = await store.get('component:default/app');
      expect(p!.score.overall.score).toBe(50);
      expect(
        p!.results.find(r => r.checkId === 'sc.privileged')!.failingSince,
      ).toBe(t(1).toISOString());
      expect(
        p!.results.find(r => r.checkId === 'sc.seccomp')!.failingSince,
      ).toBeUndefined();
      expect(await store.get('component:default/none')).toBeUndefined();
    });

    it('answers with the stored JSON: failing-since kept while a status holds, restarted when it changes', async () => {
      const app = 'component:default/app';
      const save = (day: number, status: CheckResult['status']) =>
        store.save(
          [
            record(app, [
              result('sc.privileged', status),
              result('b.b', 'pass'),
            ]),
          ],
          t(day),
        );
      const since = async () => {
        const answer = (await store.getAnswer(app))!;
        expect(answer.encoding).toBe('identity');
        const text = answer.body.toString('utf8');
        const parsed = JSON.parse(text);
        // UTF-8 throughout: the score's explanation reads '… → F'.
        expect(parsed.score.overall.explanation).toMatch(/→ [A-F]/);
        // The text is the posture get() gives, field for field.
        expect(parsed).toEqual(await store.get(app));
        return parsed.results.find((r: any) => r.checkId === 'sc.privileged')
          .failingSince;
      };
      await save(1, 'fail');
      await save(2, 'fail');
      expect(await since()).toBe(t(1).toISOString());
      await save(3, 'warn');
      expect(await since()).toBe(t(3).toISOString());
      await save(4, 'pass');
      expect(await since()).toBeUndefined();
      await save(5, 'fail');
      expect(await since()).toBe(t(5).toISOString());
      // Marking stale changes the answer without a new evaluation.
      await store.markStale([app], {
        cluster: 'demo',
        readAt: null,
        status: 'unreachable',
        message: 'timeout',
      });
      // The compressed answer stored before no longer holds: the answer is
      // put together from the row, plain, for every client.
      const stale = (await store.getAnswer(app, { gzip: true }))!;
      expect(stale.encoding).toBe('identity');
      expect(stale.etag).toBeUndefined();
      expect(JSON.parse(stale.body.toString())).toMatchObject({
        stale: true,
        clusters: [{ status: 'unreachable' }],
      });
      expect(await store.getAnswer('component:default/none')).toBeUndefined();
    });

    it('stores the answer gzip-compressed with a weak ETag: the same posture either way, a new tag when it changes', async () => {
      const app = 'component:default/app';
      const save = (day: number, status: CheckResult['status']) =>
        store.save([record(app, [result('sc.privileged', status)])], t(day));
      await save(1, 'fail');
      const compressed = (await store.getAnswer(app, { gzip: true }))!;
      expect(compressed.encoding).toBe('gzip');
      expect(compressed.etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
      const plain = (await store.getAnswer(app))!;
      expect(plain.encoding).toBe('identity');
      expect(gunzipSync(compressed.body).equals(plain.body)).toBe(true);
      expect(plain.etag).toBe(compressed.etag);
      expect(JSON.parse(plain.body.toString())).toEqual(await store.get(app));
      // Another evaluation, another answer and tag.
      await save(2, 'pass');
      const next = (await store.getAnswer(app, { gzip: true }))!;
      expect(next.etag).not.toBe(compressed.etag);
      expect(
        JSON.parse(gunzipSync(next.body).toString()).results[0].status,
      ).toBe('pass');
      // A replica of the version before saves format 1 and leaves the
      // compressed answer as it was: the row's columns are what holds.
      await knex('guardrails_posture')
        .where('entity_ref', app)
        .update({
          answer_format: 1,
          results: JSON.stringify([result('sc.privileged', 'warn')]),
        });
      const older = (await store.getAnswer(app, { gzip: true }))!;
      expect(older.encoding).toBe('identity');
      expect(older.etag).toBeUndefined();
      expect(JSON.parse(older.body.toString()).results[0].status).toBe('warn');
    });

    it('answers rows written before failing-since was stored from the status index', async () => {
      const app = 'component:default/app';
      await store.save([record(app, [result('sc.privileged', 'fail')])], t(1));
      await store.save([record(app, [result('sc.privileged', 'fail')])], t(2));
      // As an older version left the row: plain results, no format.
      await knex('guardrails_posture')
        .where('entity_ref', app)
        .update({
          results: JSON.stringify([result('sc.privileged', 'fail')]),
          answer_format: null,
          answer_gzip: null,
          answer_etag: null,
        });
      const p = JSON.parse((await store.getAnswer(app))!.body.toString());
      expect(p.results[0].failingSince).toBe(t(1).toISOString());
      expect(await store.get(app)).toEqual(p);
    });

    it('appends history only when a score or a check status changes', async () => {
      const ref = 'component:default/app';
      await store.save([record(ref, [result('a.a', 'fail')])], t(1));
      await store.save([record(ref, [result('a.a', 'fail')])], t(2));
      await store.save([record(ref, [result('a.a', 'pass')])], t(3));
      await store.save([record(ref, [result('a.a', 'pass')])], t(4));
      const h = await store.history(
        ref,
        t(1).toISOString(),
        t(5).toISOString(),
      );
      expect(h.scores.map(s => [s.at, s.score])).toEqual([
        [t(1).toISOString(), 0],
        [t(3).toISOString(), 100],
      ]);
      expect(h.checks.map(c => [c.at, c.from, c.to])).toEqual([
        [t(1).toISOString(), null, 'fail'],
        [t(3).toISOString(), 'fail', 'pass'],
      ]);
      // The score in force at the start of a later window.
      const later = await store.history(
        ref,
        t(4).toISOString(),
        t(5).toISOString(),
      );
      expect(later.scores).toEqual([
        expect.objectContaining({ at: t(4).toISOString(), score: 100 }),
      ]);
    });

    it('records results that went away', async () => {
      const ref = 'component:default/app';
      await store.save(
        [
          record(ref, [
            result('a.a', 'fail'),
            result('b.b', 'pass', { container: 'sidecar' }),
          ]),
        ],
        t(1),
      );
      await store.save([record(ref, [result('a.a', 'fail')])], t(2));
      const h = await store.history(
        ref,
        t(1).toISOString(),
        t(3).toISOString(),
      );
      expect(h.checks.filter(c => c.to === 'removed')).toEqual([
        expect.objectContaining({ checkId: 'b.b', from: 'pass' }),
      ]);
    });

    it('lists with filters and keyset pagination', async () => {
      const records = ['a', 'b', 'c', 'd', 'e'].map((n, i) =>
        record(
          `component:default/${n}`,
          i % 2 === 0
            ? [result('sc.privileged', 'fail', { severity: 'critical' })]
            : [result('sc.privileged', 'pass')],
          { owner: i < 3 ? 'group:default/one' : 'group:default/two' },
        ),
      );
      await store.save(records, t(1));
      const page1 = await store.list({}, { limit: 2 });
      expect(page1.map(p => p.entityRef)).toEqual([
        'component:default/a',
        'component:default/b',
      ]);
      const page2 = await store.list(
        {},
        { limit: 2, after: page1[1].entityRef },
      );
      expect(page2.map(p => p.entityRef)).toEqual([
        'component:default/c',
        'component:default/d',
      ]);
      const failing = await store.list(
        { failingCheck: 'sc.privileged' },
        { limit: 10 },
      );
      expect(failing.map(p => p.entityRef)).toEqual([
        'component:default/a',
        'component:default/c',
        'component:default/e',
      ]);
      expect(failing[0]).toMatchObject({
        grade: 'F',
        criticalFailures: 1,
        failingChecks: ['sc.privileged'],
      });
      const owned = await store.list(
        { owner: ['group:default/two'], grade: ['A'] },
        { limit: 10 },
      );
      expect(owned.map(p => p.entityRef)).toEqual(['component:default/d']);
      // Failing checks come with each item, none where there are none.
      expect(owned[0].failingChecks).toEqual([]);
      const byDomain = await store.list(
        { domain: 'implementation', grade: ['F'] },
        { limit: 10 },
      );
      expect(byDomain).toHaveLength(3);
      const failingInDomain = await store.list(
        { domain: 'architecture' },
        { limit: 10 },
      );
      expect(failingInDomain).toEqual([]);
    });

    it("lists each item's failing checks sorted and once each, and those of rows an older version wrote from the index", async () => {
      const app = 'component:default/app';
      const other = 'component:default/other';
      await store.save(
        [
          record(app, [
            result('sc.seccomp', 'fail'),
            result('sc.privileged', 'fail', { container: 'a' }),
            result('sc.privileged', 'fail', { container: 'b' }),
            result('sc.non-root', 'warn'),
            result('ha.pdb', 'pass'),
          ]),
          record(other, [result('sc.seccomp', 'fail')]),
        ],
        t(1),
      );
      const listed = async () =>
        Object.fromEntries(
          (await store.list({}, { limit: 10 })).map(i => [
            i.entityRef,
            i.failingChecks,
          ]),
        );
      expect(await listed()).toEqual({
        [app]: ['sc.privileged', 'sc.seccomp'],
        [other]: ['sc.seccomp'],
      });
      // As a replica of the version before would leave it: format 1, the
      // new columns as they were; the failing-check index is what holds.
      await knex('guardrails_posture')
        .where('entity_ref', other)
        .update({ answer_format: 1, failing_checks: '["outdated"]' });
      await knex('guardrails_posture_failing')
        .where('entity_ref', other)
        .update({ check_id: 'sc.privileged' });
      expect(await listed()).toEqual({
        [app]: ['sc.privileged', 'sc.seccomp'],
        [other]: ['sc.privileged'],
      });
    });

    it('changes its version with every write to the postures, and only then', async () => {
      const v0 = await store.version();
      const app = 'component:default/app';
      await store.save([record(app, [result('a.a', 'fail')])], t(1));
      const v1 = await store.version();
      expect(v1).not.toBe(v0);
      await store.setOrgState('unowned', { total: 0 }, t(1));
      await store.prune(t(0).toISOString());
      expect(await store.version()).toBe(v1);
      await store.markStale([app], {
        cluster: 'demo',
        readAt: null,
        status: 'unreachable',
      });
      const v2 = await store.version();
      expect(v2).not.toBe(v1);
      await store.markStale(['component:default/unknown'], {
        cluster: 'demo',
        readAt: null,
        status: 'unreachable',
      });
      expect(await store.version()).toBe(v2);
      await store.deleteEntities([app]);
      expect(await store.version()).not.toBe(v2);
    });

    it('marks postures stale and keeps their results', async () => {
      await store.save(
        [record('component:default/app', [result('a.a', 'fail')])],
        t(1),
      );
      expect(await store.entitiesInCluster('demo')).toEqual([
        'component:default/app',
      ]);
      await store.markStale(['component:default/app'], {
        cluster: 'demo',
        readAt: null,
        status: 'unreachable',
        message: 'timeout',
      });
      const p = await store.get('component:default/app');
      expect(p!.stale).toBe(true);
      expect(p!.clusters[0]).toMatchObject({
        status: 'unreachable',
        message: 'timeout',
        readAt: '2026-11-22T12:00:00.000Z',
      });
      expect(p!.results).toHaveLength(1);
    });

    it('computes the scores in force at a time, prunes old history but keeps the last point before the cut', async () => {
      const ref = 'component:default/app';
      await store.save([record(ref, [result('a.a', 'fail')])], t(1));
      await store.save([record(ref, [result('a.a', 'pass')])], t(3));
      await store.save([record(ref, [result('a.a', 'fail')])], t(5));
      expect((await store.scoresAt(t(2).toISOString())).get(ref)!.score).toBe(
        0,
      );
      expect((await store.scoresAt(t(4).toISOString())).get(ref)!.score).toBe(
        100,
      );
      await store.prune(t(4).toISOString());
      const h = await store.history(
        ref,
        t(1).toISOString(),
        t(6).toISOString(),
      );
      expect(h.scores.map(s => s.score)).toEqual([100, 0]);
      expect((await store.scoresAt(t(4).toISOString())).get(ref)!.score).toBe(
        100,
      );
    });

    it('deletes entities that left the catalog and keeps org state', async () => {
      await store.save(
        [record('component:default/a', []), record('component:default/b', [])],
        t(1),
      );
      await store.deleteEntities(['component:default/a']);
      expect(await store.listEntityRefs()).toEqual(['component:default/b']);
      await store.setOrgState('unowned', {
        evaluatedAt: 'x',
        results: [],
        total: 0,
      });
      expect(await store.getUnowned()).toEqual({
        evaluatedAt: 'x',
        results: [],
        total: 0,
      });
    });

    describe('with answers kept in memory', () => {
      /** A replica's store on the same database, its cache checking the shared version every `stalenessMs`. */
      const replica = (stalenessMs: number) =>
        DatabasePostureStore.create({
          database: databaseServiceFor(knex),
          answerCache: { maxBytes: 1024 * 1024, maxStalenessMs: stalenessMs },
        });
      const failing = async (s: DatabasePostureStore, ref: string) =>
        (await s.get(ref))!.results
          .filter(r => r.status === 'fail')
          .map(r => r.checkId);

      it("serves its own writes at once and another replica's after a version check", async () => {
        const a = await replica(0);
        const b = await replica(0);
        const ref = 'component:default/app';
        await a.save([record(ref, [result('sc.privileged', 'fail')])]);
        expect(await failing(a, ref)).toEqual(['sc.privileged']);
        expect(await failing(b, ref)).toEqual(['sc.privileged']);
        await b.save([record(ref, [result('sc.privileged', 'pass')])]);
        expect(await failing(a, ref)).toEqual([]);
        expect(await failing(b, ref)).toEqual([]);
        await a.markStale([ref], {
          cluster: 'demo',
          readAt: '2026-11-22T12:00:00.000Z',
          status: 'unreachable',
          message: 'connection refused',
        });
        expect((await b.get(ref))!.stale).toBe(true);
        await b.deleteEntities([ref]);
        expect(await a.get(ref)).toBeUndefined();
      });

      it('answers from memory between version checks', async () => {
        const a = await replica(60_000);
        const b = await replica(0);
        const ref = 'component:default/app';
        await b.save([record(ref, [result('sc.privileged', 'fail')])]);
        expect(await failing(a, ref)).toEqual(['sc.privileged']);
        expect(a.answerCache!.size).toBe(1);
        await b.save([record(ref, [result('sc.privileged', 'pass')])]);
        // Within a's interval its memory answers, as documented.
        expect(await failing(a, ref)).toEqual(['sc.privileged']);
        // Its own write follows b's: the version chain shows the gap, so it
        // drops what it held instead of serving it for the rest of the interval.
        await a.save([record('component:default/other', [])]);
        expect(await failing(a, ref)).toEqual([]);
      });

      it('keeps the chain of versions when replicas write at the same time', async () => {
        const replicas = [await replica(60_000), await replica(60_000)];
        const refs = Array.from(
          { length: 12 },
          (_, i) => `component:default/s${i}`,
        );
        for (const r of replicas) {
          for (const ref of refs) {
            await r.save([record(ref, [result('sc.privileged', 'fail')])]);
          }
        }
        // Each replica now holds every answer; both write half the refs at once.
        await Promise.all(
          replicas.map((r, n) =>
            Promise.all(
              refs
                .filter((_, i) => i % 2 === n)
                .map(ref =>
                  r.save([record(ref, [result('sc.privileged', 'pass')])]),
                ),
            ),
          ),
        );
        // One more write of each: each finds the other's writes in the chain
        // before its own and drops what it held.
        for (const r of replicas) {
          await r.save([record('component:default/x', [])]);
        }
        for (const r of replicas) {
          for (const ref of refs) expect(await failing(r, ref)).toEqual([]);
        }
      });
    });

    it('saves hundreds of entities in batches', async () => {
      const many = Array.from({ length: 250 }, (_, i) =>
        record(`component:default/s${String(i).padStart(3, '0')}`, [
          result('a.a', i % 3 ? 'pass' : 'fail'),
          result('b.b', 'warn'),
        ]),
      );
      const stats = await store.save(many, t(1));
      expect(stats).toEqual({
        saved: 250,
        scoreChanges: 250,
        checkChanges: 500,
        keptNewer: 0,
      });
      expect((await store.summaryRows()).length).toBe(250);
      const again = await store.save(many, t(2));
      expect(again).toEqual({
        saved: 250,
        scoreChanges: 0,
        checkChanges: 0,
        keptNewer: 0,
      });
    });
  },
);
