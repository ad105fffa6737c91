import { fillFix, referenceUrl, splitRemediation } from './remediation';

const resource = {
  cluster: 'demo',
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'shop-web',
  name: 'storefront',
};

describe('fillFix', () => {
  it('fills a strategic merge patch for the failing container and field', () => {
    const filled = fillFix(
      {
        resource,
        container: 'web',
        field:
          'spec.template.spec.containers[web].securityContext.readOnlyRootFilesystem',
      },
      { values: { readOnlyRootFilesystem: true }, note: 'Mount an emptyDir.' },
    );
    const patch = [
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          securityContext:',
      '            readOnlyRootFilesystem: true',
      '',
    ].join('\n');
    expect(filled).toEqual({
      target: 'Deployment shop-web/storefront',
      container: 'web',
      patch,
      command: `kubectl -n shop-web patch deployment/storefront --type strategic --patch '\n${patch}'`,
      note: 'Mount an emptyDir.',
    });
  });

  it('writes lists and strings as YAML reads them, and follows a CronJob template', () => {
    expect(
      fillFix(
        {
          resource: { ...resource, kind: 'CronJob', name: 'report' },
          field:
            'spec.jobTemplate.spec.template.spec.initContainers[setup].securityContext.capabilities.drop',
        },
        { values: { drop: ['ALL'] } },
      )?.patch,
    ).toBe(
      [
        'spec:',
        '  jobTemplate:',
        '    spec:',
        '      template:',
        '        spec:',
        '          initContainers:',
        '            - name: setup',
        '              securityContext:',
        '                capabilities:',
        '                  drop: ["ALL"]',
        '',
      ].join('\n'),
    );
    expect(
      fillFix(
        {
          resource,
          field: 'spec.template.spec.securityContext.seccompProfile.type',
        },
        { values: { type: 'RuntimeDefault' } },
      )?.patch,
    ).toContain('seccompProfile:\n          type: "RuntimeDefault"\n');
  });

  it.each([
    [
      'a field whose name has no fixing value',
      'spec.template.spec.containers[web].securityContext.runAsUser',
    ],
    [
      'an ephemeral container',
      'spec.template.spec.ephemeralContainers[debug].securityContext.privileged',
    ],
    ['an env entry', 'spec.template.spec.containers[web].env[API_KEY].value'],
    ['a related object', 'NetworkPolicy.spec.podSelector'],
    [
      'a container name that is not a DNS label',
      "spec.template.spec.containers[a'b].securityContext.privileged",
    ],
    ['no field', undefined],
  ])('fills nothing for %s', (_what, field) => {
    expect(
      fillFix(
        { resource, field },
        { values: { privileged: false, value: 'x', podSelector: 'x' } },
      ),
    ).toBeUndefined();
  });
});

describe('referenceUrl', () => {
  it.each([
    [
      'PSS restricted: Seccomp',
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/',
    ],
    ['KSV017', 'https://avd.aquasec.com/misconfig/ksv017'],
    [
      'Kubescape C-0012 (credentials in configuration)',
      'https://hub.armosec.io/docs/c-0012',
    ],
    [
      'Polaris privilegeEscalationAllowed',
      'https://polaris.docs.fairwinds.com/checks/security/',
    ],
    [
      'Polaris livenessProbeMissing',
      'https://polaris.docs.fairwinds.com/checks/reliability/',
    ],
    [
      'Polaris memoryLimitsMissing',
      'https://polaris.docs.fairwinds.com/checks/efficiency/',
    ],
    ['https://example.com/our-policy', 'https://example.com/our-policy'],
    ['rbac-tool', undefined],
    // Only https: a reference cannot become a script or another scheme.
    ['http://example.com', undefined],
    ['data:text/html,hi', undefined],
  ])('%s', (reference, url) => {
    expect(referenceUrl(reference)).toBe(url);
  });
});

describe('splitRemediation', () => {
  it('splits prose from code blocks, keeping their language', () => {
    expect(
      splitRemediation(
        'Set it.\n\n```yaml\na: 1\nb: 2\n```\nThen run:\n```sh\nkubectl apply\n```',
      ),
    ).toEqual([
      { kind: 'text', text: 'Set it.\n' },
      { kind: 'code', language: 'yaml', text: 'a: 1\nb: 2' },
      { kind: 'text', text: 'Then run:' },
      { kind: 'code', language: 'sh', text: 'kubectl apply' },
    ]);
  });

  it('reads an unclosed fence as code to the end', () => {
    expect(splitRemediation('Do:\n```\nx')).toEqual([
      { kind: 'text', text: 'Do:' },
      { kind: 'code', language: 'text', text: 'x' },
    ]);
  });
});
