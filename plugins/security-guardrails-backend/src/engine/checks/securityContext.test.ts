import {
  capsDropAll,
  hostPath,
  nonRoot,
  privilegeEscalation,
  privileged,
  pssBaselineMisc,
  seccomp,
} from './securityContext';
import {
  deployment,
  hardenedContainer,
  hardenedPodSpec,
  NOW,
  runCheck,
  snapshot,
  statusesFor,
} from '../../__testUtils__/builders';
import { evaluate } from '../evaluate';

const D = { kind: 'Deployment', name: 'app' };
const CJ = { kind: 'CronJob', name: 'app' };

describe('security context checks', () => {
  describe('container settings override pod settings', () => {
    it('a container runAsUser 0 fails even when the pod says runAsNonRoot', () => {
      const obj = deployment({
        podSpec: hardenedPodSpec({
          securityContext: { runAsNonRoot: true, runAsUser: 1000 },
          containers: [
            hardenedContainer('app', {
              securityContext: {
                ...hardenedContainer().securityContext,
                runAsNonRoot: undefined,
                runAsUser: 0,
              },
            }),
          ],
        }),
      });
      expect(statusesFor(runCheck(nonRoot, [obj]), D, 'app')).toEqual(['fail']);
    });

    it('a container inherits runAsNonRoot from the pod', () => {
      const obj = deployment({
        podSpec: hardenedPodSpec({
          securityContext: { runAsNonRoot: true },
          containers: [
            hardenedContainer('app', {
              securityContext: { allowPrivilegeEscalation: false },
            }),
          ],
        }),
      });
      expect(statusesFor(runCheck(nonRoot, [obj]), D, 'app')).toEqual(['pass']);
    });

    it('a container seccomp Unconfined overrides a pod RuntimeDefault', () => {
      const obj = deployment({
        podSpec: hardenedPodSpec({
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            hardenedContainer('app', {
              securityContext: { seccompProfile: { type: 'Unconfined' } },
            }),
          ],
        }),
      });
      const results = runCheck(seccomp, [obj]);
      expect(statusesFor(results, D, 'app')).toEqual(['fail']);
      expect(results[0].field).toBe(
        'spec.template.spec.containers[app].securityContext.seccompProfile.type',
      );
    });

    it('a pod-level seccomp profile covers containers that set none', () => {
      const obj = deployment({
        podSpec: hardenedPodSpec({
          securityContext: {
            seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' },
          },
          containers: [
            hardenedContainer('app', {
              securityContext: { allowPrivilegeEscalation: false },
            }),
          ],
        }),
      });
      expect(statusesFor(runCheck(seccomp, [obj]), D, 'app')).toEqual(['pass']);
    });
  });

  it('checks init and ephemeral containers too, one result per container', () => {
    const obj = deployment({
      podSpec: hardenedPodSpec({
        initContainers: [
          hardenedContainer('migrate', {
            securityContext: {
              ...hardenedContainer().securityContext,
              privileged: true,
            },
          }),
        ],
        ephemeralContainers: [
          hardenedContainer('debug', { securityContext: {} }),
        ],
      }),
    });
    const results = runCheck(privileged, [obj]);
    expect(statusesFor(results, D, 'migrate')).toEqual(['fail']);
    expect(statusesFor(results, D, 'app')).toEqual(['pass']);
    expect(statusesFor(results, D, 'debug')).toEqual(['pass']);
    expect(results.find(r => r.container === 'migrate')!.field).toBe(
      'spec.template.spec.initContainers[migrate].securityContext.privileged',
    );
    const escalation = runCheck(privilegeEscalation, [obj]);
    expect(statusesFor(escalation, D, 'debug')).toEqual(['fail']);
  });

  it('reads CronJob pod templates', () => {
    const obj = deployment({
      kind: 'CronJob',
      podSpec: hardenedPodSpec({
        containers: [
          hardenedContainer('job', { securityContext: { privileged: true } }),
        ],
      }),
    });
    const results = runCheck(privileged, [obj]);
    expect(statusesFor(results, CJ, 'job')).toEqual(['fail']);
    expect(results[0].field).toBe(
      'spec.jobTemplate.spec.template.spec.containers[job].securityContext.privileged',
    );
  });

  it('accepts NET_BIND_SERVICE after dropping ALL, and nothing else', () => {
    const ok = deployment({
      podSpec: hardenedPodSpec({
        containers: [
          hardenedContainer('app', {
            securityContext: {
              capabilities: { drop: ['all'], add: ['CAP_NET_BIND_SERVICE'] },
            },
          }),
        ],
      }),
    });
    const bad = deployment({
      podSpec: hardenedPodSpec({
        containers: [
          hardenedContainer('app', {
            securityContext: {
              capabilities: { drop: ['ALL'], add: ['CHOWN'] },
            },
          }),
        ],
      }),
    });
    expect(statusesFor(runCheck(capsDropAll, [ok]), D)).toEqual(['pass']);
    expect(statusesFor(runCheck(capsDropAll, [bad]), D)).toEqual(['fail']);
  });

  describe('sc.caps-drop-all says what the manifest drops', () => {
    const withCaps = (capabilities: Record<string, unknown>) =>
      deployment({
        podSpec: hardenedPodSpec({
          containers: [
            hardenedContainer('app', { securityContext: { capabilities } }),
          ],
        }),
      });
    const every = [
      'AUDIT_WRITE',
      'CHOWN',
      'DAC_OVERRIDE',
      'FOWNER',
      'FSETID',
      'KILL',
      'MKNOD',
      'NET_BIND_SERVICE',
      'NET_RAW',
      'SETFCAP',
      'SETGID',
      'SETPCAP',
      'SETUID',
      'SYS_CHROOT',
    ];

    it('warns, without claiming the default set applies, when every default is dropped by name', () => {
      const [r] = runCheck(capsDropAll, [withCaps({ drop: every })]);
      expect(r.status).toBe('warn');
      expect(r.message).not.toContain('default set applies');
      expect(r.message).toContain(
        "Every capability of the runtime's default set is dropped by name, but not ALL",
      );
    });

    it('names the defaults that remain when only some are dropped', () => {
      const [r] = runCheck(capsDropAll, [
        withCaps({ drop: every.filter(c => c !== 'NET_RAW' && c !== 'KILL') }),
      ]);
      expect(r.status).toBe('fail');
      expect(r.message).toMatch(
        /the runtime's defaults KILL, NET_RAW remain\.$/,
      );
    });

    it('fails when every default is dropped by name and another is added', () => {
      const [r] = runCheck(capsDropAll, [
        withCaps({ drop: every.map(c => `CAP_${c}`), add: ['SYS_ADMIN'] }),
      ]);
      expect(r.status).toBe('fail');
      expect(r.message).toContain('but not ALL and SYS_ADMIN is added');
    });

    it('keeps the plain message when nothing is dropped', () => {
      const [r] = runCheck(capsDropAll, [withCaps({})]);
      expect(r).toMatchObject({
        status: 'fail',
        message:
          "Capabilities are not dropped: the runtime's default set applies.",
      });
    });
  });

  describe('sc.host-path: node secrets are critical even read-only', () => {
    const mounting = (path: string, readOnly: boolean) =>
      deployment({
        podSpec: hardenedPodSpec({
          volumes: [{ name: 'host', hostPath: { path } }],
          containers: [
            hardenedContainer('app', {
              volumeMounts: [{ name: 'host', mountPath: '/host', readOnly }],
            }),
          ],
        }),
      });
    it.each([
      ['/etc/kubernetes', 'node and control-plane credentials'],
      ['/etc/kubernetes/pki', 'node and control-plane credentials'],
      ['/var/lib/kubelet', "kubelet credentials and every pod's volumes"],
      ['/var/lib/kubelet/pods/', "kubelet credentials and every pod's volumes"],
      ['/var/lib/etcd', "the cluster's etcd data"],
      ['/root', "root's home"],
      ['/home', 'home directories'],
      ['/proc', "the host's processes"],
      ['/sys', "the host's kernel interfaces"],
      ['/run/containerd/containerd.sock', 'container runtime socket'],
      ['/var//lib/./etcd', "the cluster's etcd data"],
      [
        '/var/log/../lib/kubelet',
        "kubelet credentials and every pod's volumes",
      ],
      ['/var', 'contains'],
      ['/', 'contains'],
    ])('%s read-only is critical', (path, holds) => {
      const [r] = runCheck(hostPath, [mounting(path, true)]);
      expect(r).toMatchObject({ status: 'fail', severity: 'critical' });
      expect(r.message).toContain(holds);
      expect(r.message).toContain('read-only');
    });

    it.each(['/var/log', '/etc/ssl/certs', '/opt/data', '/var/lib/kube'])(
      '%s read-only stays high',
      path => {
        expect(runCheck(hostPath, [mounting(path, true)])[0]).toMatchObject({
          status: 'fail',
          severity: 'high',
        });
      },
    );

    it('says when a hostPath volume is not mounted at all', () => {
      const obj = deployment({
        podSpec: hardenedPodSpec({
          volumes: [{ name: 'x', hostPath: { path: '/opt/x' } }],
        }),
      });
      expect(runCheck(hostPath, [obj])[0].message).toBe(
        'Declares hostPath volumes no container mounts (Pod Security baseline forbids them all the same): /opt/x not mounted.',
      );
    });
  });

  it('treats a writable runtime socket hostPath as critical', () => {
    const obj = deployment({
      podSpec: hardenedPodSpec({
        volumes: [
          { name: 'docker', hostPath: { path: '/var/run/docker.sock' } },
        ],
        containers: [
          hardenedContainer('app', {
            volumeMounts: [
              { name: 'docker', mountPath: '/var/run/docker.sock' },
            ],
          }),
        ],
      }),
    });
    const readOnly = deployment({
      podSpec: hardenedPodSpec({
        volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }],
        containers: [
          hardenedContainer('app', {
            volumeMounts: [
              { name: 'logs', mountPath: '/logs', readOnly: true },
            ],
          }),
        ],
      }),
    });
    expect(runCheck(hostPath, [obj])[0]).toMatchObject({
      status: 'fail',
      severity: 'critical',
    });
    expect(runCheck(hostPath, [readOnly])[0]).toMatchObject({
      status: 'fail',
      severity: 'high',
    });
  });

  it('flags unsafe sysctls and AppArmor Unconfined but not the safe set', () => {
    const safe = deployment({
      podSpec: hardenedPodSpec({
        securityContext: {
          sysctls: [
            { name: 'net.ipv4.ip_local_port_range', value: '1024 65535' },
          ],
        },
      }),
    });
    const unsafe = deployment({
      podSpec: hardenedPodSpec({
        securityContext: {
          sysctls: [{ name: 'kernel.msgmax', value: '65536' }],
          appArmorProfile: { type: 'Unconfined' },
        },
      }),
    });
    expect(statusesFor(runCheck(pssBaselineMisc, [safe]), D)).toEqual(['pass']);
    const [result] = runCheck(pssBaselineMisc, [unsafe]);
    expect(result.status).toBe('fail');
    expect(result.message).toContain('kernel.msgmax');
    expect(result.message).toContain('AppArmor Unconfined');
  });

  it('tolerates malformed specs: results, no check errors', () => {
    const weird = deployment({
      podSpec: {
        securityContext: 'nope',
        volumes: 'no',
        containers: [
          { name: 'x', securityContext: 'nope', ports: 'no', env: 7 },
          null,
          42,
        ],
      } as any,
    });
    const evaluation = evaluate(
      { clusters: [snapshot([weird])] },
      {
        checks: [
          privileged,
          privilegeEscalation,
          nonRoot,
          capsDropAll,
          seccomp,
          hostPath,
          pssBaselineMisc,
        ],
        now: NOW,
      },
    );
    expect(evaluation.errors).toEqual([]);
    expect(evaluation.results.length).toBeGreaterThan(0);
  });
});
