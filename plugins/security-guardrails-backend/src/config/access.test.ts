import { ConfigReader } from '@backstage/config';
import { readAccessConfig } from './access';

describe('access config', () => {
  it('reads roles with durations and validates them', () => {
    const config = readAccessConfig(
      new ConfigReader({
        securityGuardrails: {
          access: {
            roles: [
              {
                name: 'debug',
                clusterRole: 'pod-debugger',
                maxDuration: { minutes: 45 },
                approvals: 2,
                approvers: ['security-leads'],
              },
            ],
            pendingTimeout: 'PT2H',
          },
        },
      }),
    );
    expect(config.roles[0]).toMatchObject({
      name: 'debug',
      maxDurationSeconds: 2700,
      defaultDurationSeconds: 2700,
      approvalsRequired: 2,
      requesterMustBeOwner: true,
    });
    expect(config.pendingTimeoutSeconds).toBe(7200);
  });

  it.each([
    [
      {
        roles: [
          { name: 'Bad Name', clusterRole: 'view', maxDuration: { hours: 1 } },
        ],
      },
      /name 'Bad Name'/,
    ],
    [
      {
        roles: [
          {
            name: 'x',
            clusterRole: 'view',
            maxDuration: { hours: 1 },
            defaultDuration: { hours: 2 },
          },
        ],
      },
      /defaultDuration at most maxDuration/,
    ],
    [
      {
        roles: [
          {
            name: 'x',
            clusterRole: 'view',
            maxDuration: { hours: 1 },
            approvers: ['anyone'],
          },
        ],
      },
      /must be owners or security-leads/,
    ],
    [
      {
        roles: [
          {
            name: 'x',
            clusterRole: 'view',
            maxDuration: { hours: 1 },
            approvals: -1,
          },
        ],
      },
      /approvals must be/,
    ],
    [{ maxActiveGrantsPerUser: 0 }, /maxActiveGrantsPerUser/],
    [{ subject: { from: 'annotation' } }, /subject.annotation is required/],
  ])('refuses bad config %#', (access, message) => {
    expect(() =>
      readAccessConfig(new ConfigReader({ securityGuardrails: { access } })),
    ).toThrow(message);
  });
});
