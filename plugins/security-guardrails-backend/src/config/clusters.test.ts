import { ConfigReader } from '@backstage/config';
import { readClusterConfigs } from './clusters';

const live = (extra: Record<string, unknown> = {}) =>
  new ConfigReader({
    securityGuardrails: {
      clusters: [
        {
          name: 'prod',
          url: 'https://prod.example.com',
          authProvider: 'serviceAccount',
          serviceAccountToken: 't',
          ...extra,
        },
      ],
    },
  });

describe('readClusterConfigs', () => {
  it('follows a live cluster with watches by default, with a 150 s lease', () => {
    expect(readClusterConfigs(live()).clusters[0]).toMatchObject({
      type: 'kubernetes',
      watch: true,
      watchLeaseSeconds: 150,
    });
  });

  it('can turn watching off and set the lease', () => {
    expect(
      readClusterConfigs(live({ watch: false, watchLeaseSeconds: 60 }))
        .clusters[0],
    ).toMatchObject({ watch: false, watchLeaseSeconds: 60 });
  });

  it.each([5, 4000])('refuses a lease of %s s, naming the field', seconds => {
    expect(() =>
      readClusterConfigs(live({ watchLeaseSeconds: seconds })),
    ).toThrow(
      `cluster 'prod': watchLeaseSeconds must be between 10 and 3600, not ${seconds}`,
    );
  });
});
