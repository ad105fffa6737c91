import yaml from 'js-yaml';
import { toYaml } from '@internal/backstage-plugin-security-guardrails-common';
import { roleBindingFor } from './roleBinding';

const grant = {
  grantId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  cluster: 'demo',
  namespaces: ['shop-web'],
  clusterRole: 'edit',
  subject: { kind: 'User' as const, name: 'dana@acme.example' },
  expiresAt: '2026-12-04T15:30:00.000Z',
  requester: 'user:default/dana',
  approvers: ['user:default/sam', 'user:default/riley'],
  justification: 'INC-4211',
  entityRef: 'component:default/storefront',
  kubernetesId: 'storefront',
};

describe('the RoleBinding as the portal shows it', () => {
  it.each([
    'INC-4211',
    'Debugging: the cache # is full',
    '- starts like a list item',
    'yes',
    '1234',
    'says "hello" and \\ backslash',
    'two\nlines',
    'trailing space ',
    'ünïcödé and emoji 🚀',
    '<applied at + 30 min>',
  ])('reads back as the object applied (justification %j)', justification => {
    const binding = roleBindingFor({ ...grant, justification }, 'shop-web');
    expect(yaml.load(toYaml(binding))).toEqual(binding);
  });

  it('writes the fields a reviewer looks for in plain YAML', () => {
    const text = toYaml(roleBindingFor(grant, 'shop-web'));
    expect(text).toContain('kind: RoleBinding\n');
    expect(text).toContain(
      'roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: edit\n',
    );
    expect(text).toContain(
      'subjects:\n  - apiGroup: rbac.authorization.k8s.io\n    kind: User\n    name: dana@acme.example\n',
    );
    expect(text).toContain(
      'app.kubernetes.io/managed-by: security-guardrails\n',
    );
  });
});
