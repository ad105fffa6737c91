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
import {
  GRANT_LABELS,
  GRANT_MANAGED_BY_VALUE,
} from '@internal/backstage-plugin-security-guardrails-common';
import { NAMESPACE_OWNER_KEY, SYSTEM_NAMESPACES } from './targets';
import { roleBindingFor } from './drivers/roleBinding';
import { GrantSpec } from './drivers/types';

const text = fs.readFileSync(path.join(REPO_ROOT, 'deploy/rbac.yaml'), 'utf8');
const parsed = parseManifests(text, 'deploy/rbac.yaml');
const role = (name: string) =>
  parsed.objects.find(
    o => o.kind === 'ClusterRole' && o.metadata.name === name,
  )!;
const rules = (name: string) => role(name).rules as PolicyRule[];
const config = parse(
  fs.readFileSync(path.join(REPO_ROOT, 'app-config.yaml'), 'utf8'),
);
const grantableRoles = () =>
  config.securityGuardrails.access.roles
    .map((r: { clusterRole: string }) => r.clusterRole)
    .sort();
const one = (kind: string) => {
  const found = parsed.objects.filter(o => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as any;
};
const allRules = [
  ...rules('security-guardrails-reader'),
  ...rules('security-guardrails-granter'),
];

describe('deploy/rbac.yaml', () => {
  it('parses', () => {
    expect(parsed.errors).toEqual([]);
  });

  it('lets the backend list and watch every kind the sources read', () => {
    for (const def of KINDS) {
      const group = def.apiVersion.includes('/')
        ? def.apiVersion.split('/')[0]
        : '';
      const can = (verb: string) =>
        allRules.some(r =>
          ruleGrants(r, {
            groups: [group],
            resources: [def.plural],
            verbs: [verb],
          }),
        );
      expect({
        kind: def.kind,
        listable: can('list'),
        watchable: can('watch'),
      }).toEqual({
        kind: def.kind,
        listable: true,
        watchable: true,
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

  describe('the admission policy confining the granter', () => {
    const policy = one('ValidatingAdmissionPolicy');
    const expressions: string[] = policy.spec.validations.map(
      (v: { expression: string }) => v.expression,
    );
    const all = expressions.join('\n');
    const sa = one('ServiceAccount');

    it('is bound to deny, fails closed and matches only the granter', () => {
      expect(one('ValidatingAdmissionPolicyBinding').spec).toEqual({
        policyName: policy.metadata.name,
        validationActions: ['Deny'],
      });
      expect(policy.spec.failurePolicy).toBe('Fail');
      expect(policy.spec.matchConstraints.resourceRules).toEqual([
        expect.objectContaining({
          apiGroups: ['rbac.authorization.k8s.io'],
          operations: ['CREATE', 'UPDATE', 'DELETE'],
          resources: ['rolebindings'],
        }),
      ]);
      expect(policy.spec.matchConditions).toEqual([
        expect.objectContaining({
          expression: `request.userInfo.username == 'system:serviceaccount:${sa.metadata.namespace}:${sa.metadata.name}'`,
        }),
      ]);
    });

    it('allows the roles the config makes grantable, no more', () => {
      const listed = /object\.roleRef\.name in \[([^\]]*)\]/.exec(all);
      expect(
        listed![1]
          .split(',')
          .map(r => r.trim().replace(/'/g, ''))
          .sort(),
      ).toEqual(grantableRoles());
    });

    it('uses the labels the plugin writes and reads', () => {
      const grant: GrantSpec = {
        grantId: 'g1',
        cluster: 'demo',
        namespaces: ['shop-web'],
        clusterRole: 'view',
        subject: { kind: 'User', name: 'dana@example.com' },
        expiresAt: new Date().toISOString(),
        requester: 'user:default/dana',
        approvers: [],
        justification: 'checking the deploy file',
        entityRef: 'component:default/storefront',
      };
      const binding = roleBindingFor(grant, 'shop-web');
      expect(binding.metadata.labels[GRANT_LABELS.managedBy]).toBe(
        GRANT_MANAGED_BY_VALUE,
      );
      expect(all).toContain(
        `variables.binding.metadata.labels['${GRANT_LABELS.managedBy}'] == '${GRANT_MANAGED_BY_VALUE}'`,
      );
      expect(binding.subjects).toEqual([
        expect.objectContaining({ kind: 'User' }),
      ]);
      expect(all).toContain(`'${NAMESPACE_OWNER_KEY}' in namespaceObject`);
    });

    it('keeps grants out of system namespaces unless the config allows some', () => {
      expect(SYSTEM_NAMESPACES.every(n => n.startsWith('kube-'))).toBe(true);
      expect(all).toContain("!request.namespace.startsWith('kube-')");
      // The policy would refuse what the config allows: edit both together.
      expect(
        config.securityGuardrails.access.allowSystemNamespaces ?? [],
      ).toEqual([]);
    });

    it('admits the namespaces the config gives owners without a label', () => {
      const listed = /request\.namespace in \[([^\]]*)\]/.exec(all);
      const inPolicy = listed![1]
        .split(',')
        .map(n => n.trim().replace(/'/g, ''))
        .filter(Boolean)
        .sort();
      const configured = (
        config.securityGuardrails.access.namespaceOwners ?? []
      )
        .map((o: { namespace: string }) => o.namespace)
        .sort();
      expect(inPolicy).toEqual(configured);
    });

    it('never blocks deleting a binding it manages, so revocation always works', () => {
      for (const e of expressions) {
        expect(
          e.startsWith("request.operation == 'DELETE' ||") ||
            e.startsWith("request.operation != 'UPDATE' ||") ||
            e.startsWith('has(variables.binding.metadata.labels)'),
        ).toBe(true);
      }
    });
  });

  it('ships no long-lived token and mounts none by default', () => {
    expect(
      parsed.objects.filter(
        o =>
          o.kind === 'Secret' &&
          (o as any).type === 'kubernetes.io/service-account-token',
      ),
    ).toEqual([]);
    expect(one('ServiceAccount').automountServiceAccountToken).toBe(false);
  });
});
