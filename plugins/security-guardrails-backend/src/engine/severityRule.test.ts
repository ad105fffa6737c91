/*
 * One severity per check across views: a result carries the effective
 * severity, and when that departs from the catalogue's, the catalogue says
 * how (`severityRule`), so the checks page, the API and the CLI agree.
 */
import path from 'path';
import { ManifestsSource } from '../sources/ManifestsSource';
import {
  DEMO_CLUSTER_DIR,
  demoEntities,
  demoGroups,
} from '../__testUtils__/demo';
import { BUILTIN_CHECKS } from './checks';
import { evaluate } from './evaluate';

const NOW = new Date('2026-11-22T12:00:00Z');
const INSTALLS = path.resolve(__dirname, '../__fixtures__/installs');

async function resultsOf(dir: string) {
  const snapshot = await ManifestsSource.create({
    cluster: 'c',
    paths: [dir],
  }).read();
  return evaluate(
    { clusters: [snapshot] },
    {
      entities: demoEntities(),
      settings: { knownGroups: demoGroups() },
      now: NOW,
    },
  ).results;
}

describe('severity rules', () => {
  it.each([
    ['the demo', DEMO_CLUSTER_DIR, true],
    ['the install fixtures', INSTALLS, false],
  ])(
    'every result of %s that departs from its check’s severity has a rule in the catalogue',
    async (_, dir, some) => {
      const meta = new Map(BUILTIN_CHECKS.map(c => [c.meta.id, c.meta]));
      const results = await resultsOf(dir);
      const departing = results.filter(
        r => r.severity !== meta.get(r.checkId)!.severity,
      );
      // The demo has a runtime socket mount and critical CVEs: departures exist.
      expect(departing.length > 0).toBe(some);
      expect(
        [...new Set(departing.map(r => r.checkId))].filter(
          id => !meta.get(id)!.severityRule,
        ),
      ).toEqual([]);
    },
  );

  it('only checks whose findings set a severity carry a rule', () => {
    expect(
      BUILTIN_CHECKS.filter(c => c.meta.severityRule)
        .map(c => c.meta.id)
        .sort(),
    ).toEqual([
      'maint.dangling-rbac',
      'maint.image-vulns',
      'maint.policy-reports',
      'sc.host-path',
    ]);
  });
});
