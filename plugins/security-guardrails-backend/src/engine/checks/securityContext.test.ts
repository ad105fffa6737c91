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
