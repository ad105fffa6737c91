/*
 * Install-manifest fixtures (src/__fixtures__/installs) scanned as a pipeline
 * would: `guardrails scan <dir> --format json`.
 */
import path from 'node:path';
import { runScan } from './scan';

const FIXTURES = path.resolve(__dirname, '../__fixtures__/installs');

interface ScanResult {
  checkId: string;
  status: string;
  severity: string;
  message: string;
  resource: { kind: string; namespace: string | null; name: string };
}

async function scan(dir: string, ...extra: string[]) {
  let stdout = '';
  await runScan([dir, '--format', 'json', ...extra], {
    stdout: t => {
      stdout += t;
    },
    stderr: () => {},
    cwd: FIXTURES,
  });
  return JSON.parse(stdout) as { results: ScanResult[]; notices: string[] };
}

function find(
  doc: { results: ScanResult[] },
  checkId: string,
  kind: string,
  name: string,
) {
  return doc.results.filter(
    r =>
      r.checkId === checkId &&
      r.resource.kind === kind &&
      r.resource.name === name,
  );
}

const RBAC_CHECKS = [
  'rbac.cluster-admin',
  'rbac.wildcard',
  'rbac.secrets-read',
  'rbac.exec-attach',
  'rbac.escalate',
];

describe('install-manifest fixtures', () => {
  it('places a namespace-less install where its bindings say it runs, and says so', async () => {
    const doc = await scan('namespaceless-operator');
    expect(doc.notices).toHaveLength(1);
    expect(doc.notices[0]).toContain('evaluated in namespace widget-system');
    const [admin] = find(
      doc,
      'rbac.cluster-admin',
      'Deployment',
      'widget-operator',
    );
    expect(admin.resource.namespace).toBe('widget-system');
    expect(admin.status).toBe('fail');
    expect(
      find(
        doc,
        'maint.dangling-rbac',
        'ClusterRoleBinding',
        'widget-operator',
      )[0].status,
    ).toBe('pass');
  });

  it('with another namespace given, reports the binding at the severity of what it hides', async () => {
    const doc = await scan('namespaceless-operator', '--namespace', 'tools');
    expect(doc.notices).toEqual([]);
    const [dangling] = find(
      doc,
      'maint.dangling-rbac',
      'ClusterRoleBinding',
      'widget-operator',
    );
    expect(dangling.status).toBe('fail');
    expect(dangling.severity).toBe('critical');
    expect(dangling.message).toContain('namespace tools');
  });

  it('finds the admin-equivalent cluster-wide controller', async () => {
    const doc = await scan('cluster-wide-controller');
    const [admin] = find(
      doc,
      'rbac.cluster-admin',
      'Deployment',
      'sync-controller',
    );
    expect(admin.status).toBe('fail');
    expect(admin.message).toContain('reading every Secret');
    expect(admin.message).toContain('creating workloads');
  });

  it('resolves an aggregated ClusterRole with empty rules', async () => {
    const doc = await scan('aggregated-role');
    expect(
      find(doc, 'rbac.secrets-read', 'DaemonSet', 'backup-agent')[0].status,
    ).toBe('fail');
    expect(
      find(doc, 'rbac.secrets-read', 'ClusterRole', 'backup-agent')[0].status,
    ).toBe('fail');
  });

  it('fails every workload and the binding when cluster-admin goes to system:authenticated', async () => {
    const doc = await scan('everyone-admin');
    expect(find(doc, 'rbac.cluster-admin', 'Deployment', 'web')[0].status).toBe(
      'fail',
    );
    const [b] = find(
      doc,
      'rbac.cluster-admin',
      'ClusterRoleBinding',
      'dashboard-everyone',
    );
    expect(b.status).toBe('fail');
    expect(b.severity).toBe('critical');
    expect(
      find(
        doc,
        'maint.standing-privilege',
        'ClusterRoleBinding',
        'dashboard-everyone',
      )[0].status,
    ).toBe('fail');
  });

  it('passes every RBAC check for a least-privilege Role', async () => {
    const doc = await scan('least-privilege');
    for (const id of RBAC_CHECKS) {
      expect(
        find(doc, id, 'Deployment', 'reporter').map(r => r.status),
      ).toEqual(['pass']);
    }
  });
});
