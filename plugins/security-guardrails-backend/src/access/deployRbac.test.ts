/*
 * The backend's own RBAC in deploy/rbac.yaml is least privilege: it covers
 * what the sources read, never Secrets, and binds only the grantable roles.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../__testUtils__/demo';
import { evaluate } from '../engine';
import { PolicyRule, ruleGrants } from '../engine/rbac';
import { parseManifests } from '../sources/parseManifests';
import { KINDS } from '../sources/KubernetesSource';

const text = fs.readFileSync(path.join(REPO_ROOT, 'deploy/rbac.yaml'), 'utf8');
const parsed = parseManifests(text, 'deploy/rbac.yaml');
const role = (name: string) =>
  parsed.objects.find(
    o => o.kind === 'ClusterRole' && o.metadata.name === name,
  )!;
const rules = (name: string) => role(name).rules as PolicyRule[];
const allRules = [
  ...rules('security-guardrails-reader'),
  ...rules('security-guardrails-granter'),
];

describe('deploy/rbac.yaml', () => {
  it('parses', () => {
    expect(parsed.errors).toEqual([]);
  });

  it('lets the backend list every kind the sources read', () => {
    for (const def of KINDS) {
      const group = def.apiVersion.includes('/')
        ? def.apiVersion.split('/')[0]
        : '';
      expect({
        kind: def.kind,
        listable: allRules.some(r =>
          ruleGrants(r, {
            groups: [group],
            resources: [def.plural],
            verbs: ['list'],
          }),
        ),
      }).toEqual({
        kind: def.kind,
        listable: true,
      });
    }
  });

  it('never grants Secrets, wildcards, escalate or impersonate', () => {
    for (const r of allRules) {
      expect(r.resources ?? []).not.toContain('secrets');
      expect(r.resources ?? []).not.toContain('*');
      expect(r.verbs ?? []).not.toContain('*');
      expect(r.verbs ?? []).not.toContain('escalate');
      expect(r.verbs ?? []).not.toContain('impersonate');
    }
  });

  it('binds exactly the ClusterRoles the demo config makes grantable', () => {
    const config = parse(
      fs.readFileSync(path.join(REPO_ROOT, 'app-config.yaml'), 'utf8'),
    );
    const grantable = config.securityGuardrails.access.roles
      .map((r: { clusterRole: string }) => r.clusterRole)
      .sort();
    const bind = rules('security-guardrails-granter').filter(r =>
      r.verbs?.includes('bind'),
    );
    expect(bind).toHaveLength(1);
    expect([...(bind[0].resourceNames ?? [])].sort()).toEqual(grantable);
  });

  it("passes the product's own RBAC checks (bind on named roles is only a warning)", () => {
    const evaluation = evaluate({
      clusters: [
        {
          cluster: 'deploy',
          readAt: null,
          status: 'ok',
          objects: parsed.objects,
          errors: [],
        },
      ],
    });
    const rbac = evaluation.results.filter(
      r => r.checkId.startsWith('rbac.') && r.resource.kind === 'ClusterRole',
    );
    expect(rbac.filter(r => r.status === 'fail')).toEqual([]);
    expect(
      rbac.find(
        r =>
          r.checkId === 'rbac.escalate' &&
          r.resource.name === 'security-guardrails-granter',
      ),
    ).toMatchObject({ status: 'warn' });
  });
});
