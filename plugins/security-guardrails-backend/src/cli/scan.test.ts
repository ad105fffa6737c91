import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import {
  CHECK_IDS,
  RESULT_STATUSES,
} from '@internal/backstage-plugin-security-guardrails-common';
import { DEMO_CLUSTER_DIR, REPO_ROOT } from '../__testUtils__/demo';
import { runScan } from './scan';

async function scan(args: string[], cwd = REPO_ROOT) {
  let stdout = '';
  let stderr = '';
  const code = await runScan(args, {
    stdout: t => {
      stdout += t;
    },
    stderr: t => {
      stderr += t;
    },
    cwd,
  });
  return { code, stdout, stderr };
}

describe('guardrails scan', () => {
  const dir = createMockDirectory();
  afterEach(() => dir.clear());

  it.each(['json', 'sarif', 'table'])(
    'streams %s in bounded writes, waiting for the reader when it asks',
    async format => {
      const writes: string[] = [];
      let drains = 0;
      const code = await runScan(
        [DEMO_CLUSTER_DIR, '--format', format, '--all'],
        {
          // A reader that is always full: every write asks for a drain.
          stdout: t => {
            writes.push(t);
            return false;
          },
          drain: async () => {
            drains++;
          },
          stderr: () => {},
          cwd: REPO_ROOT,
        },
      );
      expect(code).toBe(1);
      expect(drains).toBe(writes.length);
      expect(writes.length).toBeGreaterThan(1);
      expect(Math.max(...writes.map(w => w.length))).toBeLessThan(
        64 * 1024 + 16 * 1024,
      );
      const text = writes.join('');
      const parses = (() => {
        try {
          JSON.parse(text);
          return true;
        } catch {
          return false;
        }
      })();
      expect(parses).toBe(format !== 'table');
    },
  );

  it('prints the documented JSON shape with file and line for every result', async () => {
    const { code, stdout } = await scan([
      'examples/cluster/demo',
      '--format',
      'json',
    ]);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout);
    expect(Object.keys(doc).sort()).toEqual([
      'errors',
      'notices',
      'results',
      'summary',
    ]);
    expect(doc.errors).toEqual([]);
    expect(doc.results.length).toBeGreaterThan(300);
    for (const r of doc.results) {
      expect(Object.keys(r).sort()).toEqual(
        [
          'checkId',
          'container',
          'domain',
          'field',
          'message',
          'resource',
          'severity',
          'source',
          'status',
        ].sort(),
      );
      expect(CHECK_IDS).toContain(r.checkId);
      expect(RESULT_STATUSES).toContain(r.status);
      expect(Object.keys(r.resource).sort()).toEqual([
        'apiVersion',
        'kind',
        'name',
        'namespace',
      ]);
      expect(r.source).toEqual({
        file: expect.stringMatching(/^examples\/cluster\/demo\/.+\.yaml$/),
        line: expect.any(Number),
      });
    }
    const privileged = doc.results.find(
      (r: any) => r.checkId === 'sc.privileged' && r.status === 'fail',
    );
    expect(privileged).toMatchObject({
      resource: {
        kind: 'Deployment',
        namespace: 'default',
        name: 'legacy-admin',
      },
      container: 'admin',
      field: 'spec.template.spec.containers[admin].securityContext.privileged',
      source: { file: 'examples/cluster/demo/legacy-admin.yaml' },
    });
    expect(doc.summary).toMatchObject({
      failOn: 'high',
      failingChecksAtThreshold: expect.any(Number),
      failingResultsAtThreshold: expect.any(Number),
    });
  });

  it('keeps one result per (check, resource, container)', async () => {
    const { stdout } = await scan([
      'examples/cluster/demo',
      '--format',
      'json',
    ]);
    const keys = JSON.parse(stdout).results.map(
      (r: any) =>
        `${r.checkId}|${r.resource.kind}|${r.resource.namespace}|${r.resource.name}|${r.container}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('exits 0 when nothing at or above the threshold fails', async () => {
    const { code, stdout } = await scan([
      path.join(DEMO_CLUSTER_DIR, 'checkout.yaml'),
      path.join(DEMO_CLUSTER_DIR, '00-namespaces.yaml'),
      '--fail-on',
      'low',
    ]);
    expect(stdout).toContain('Failing at or above low: 0 checks');
    expect(code).toBe(0);
  });

  it('exits 1 at the threshold and 0 above what fails', async () => {
    dir.setContent({
      'd.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: d, namespace: shop }
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: app
          image: ghcr.io/a/b:1.0
          securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] }, seccompProfile: { type: RuntimeDefault } }
`,
    });
    // The worst failure here is medium (net.policy-coverage, resources, ...).
    expect((await scan([dir.path, '--fail-on', 'medium'])).code).toBe(1);
    expect((await scan([dir.path, '--fail-on', 'high'])).code).toBe(0);
  });

  it('exits 2 on parse errors, naming the file and line', async () => {
    dir.setContent({ 'bad.yaml': 'kind: Deployment\nmetadata: [oops\n' });
    const { code, stdout } = await scan([dir.path], dir.path);
    expect(code).toBe(2);
    expect(stdout).toMatch(/error: bad\.yaml:\d+: /);
  });

  it('exits 2 on usage errors', async () => {
    expect((await scan([])).code).toBe(2);
    expect((await scan(['x', '--format', 'xml'])).stderr).toContain(
      '--format must be table, json or sarif',
    );
    expect((await scan(['x', '--fail-on', 'urgent'])).code).toBe(2);
    expect((await scan(['x', '--disable', 'no.such-check'])).code).toBe(2);
    expect((await scan(['x', '--bogus'])).code).toBe(2);
  });

  it('exits 2 when the path has no manifests', async () => {
    dir.setContent({ 'README.md': 'nothing' });
    const { code, stderr } = await scan([dir.path]);
    expect(code).toBe(2);
    expect(stderr).toContain('no Kubernetes objects found');
  });

  it('writes SARIF 2.1.0 with rules, levels and locations', async () => {
    const { stdout } = await scan([
      'examples/cluster/demo',
      '--format',
      'sarif',
    ]);
    const sarif = JSON.parse(stdout);
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run.tool.driver.name).toBe('security-guardrails');
    const ruleIds = run.tool.driver.rules.map((r: any) => r.id);
    expect(ruleIds).toContain('sc.privileged');
    for (const result of run.results) {
      expect(ruleIds[result.ruleIndex]).toBe(result.ruleId);
      expect(['error', 'warning', 'note']).toContain(result.level);
      expect(result.locations[0].physicalLocation.artifactLocation.uri).toMatch(
        /^examples\/cluster\/demo\//,
      );
      expect(
        result.locations[0].physicalLocation.region.startLine,
      ).toBeGreaterThan(0);
    }
    const rule = run.tool.driver.rules.find(
      (r: any) => r.id === 'sc.privileged',
    );
    expect(rule.properties['security-severity']).toBe('9.5');
    expect(rule.help.markdown).toContain('```yaml');
  });

  it('prints a table with the score explained', async () => {
    const { stdout } = await scan(['examples/cluster/demo']);
    expect(stdout).toMatch(/^STATUS\s+SEVERITY\s+CHECK/);
    expect(stdout).toMatch(/Score: \d+ \([A-F]\) — 100 × /);
  });
});
