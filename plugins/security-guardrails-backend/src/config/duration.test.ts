import { ConfigReader } from '@backstage/config';
import { JsonObject, JsonValue } from '@backstage/types';
import { readAccessConfig } from './access';
import { readDurationSeconds } from './duration';
import { readPostureConfig } from './posture';

const layers = (...data: JsonObject[]) =>
  ConfigReader.fromConfigs(
    data.map((d, i) => ({ context: `file${i}`, data: d })),
  );
const access = (value: JsonValue): JsonObject => ({
  securityGuardrails: { access: { pendingTimeout: value } },
});

describe('durations in config', () => {
  it.each([
    ['15s', 15],
    ['24h', 86400],
    ['PT1H30M', 5400],
    [{ minutes: 90 }, 5400],
  ])('reads %j', (value, seconds) => {
    expect(
      readAccessConfig(new ConfigReader(access(value))).pendingTimeoutSeconds,
    ).toBe(seconds);
  });

  it('is one value per file: a later string or object of the same unit replaces it', () => {
    expect(
      readAccessConfig(layers(access({ hours: 24 }), access('15s')))
        .pendingTimeoutSeconds,
    ).toBe(15);
    expect(
      readAccessConfig(layers(access({ hours: 24 }), access({ hours: 2 })))
        .pendingTimeoutSeconds,
    ).toBe(7200);
  });

  it('refuses units from two files adding up, naming the key', () => {
    expect(() =>
      readAccessConfig(layers(access({ hours: 24 }), access({ seconds: 15 }))),
    ).toThrow(
      /^securityGuardrails\.access\.pendingTimeout has hours and seconds: give one unit/,
    );
  });

  it('refuses two units in one object too, and non-positive durations', () => {
    expect(() =>
      readDurationSeconds(
        new ConfigReader({ d: { hours: 1, minutes: 30 } }),
        'd',
        'x',
      ),
    ).toThrow(/^x\.d has hours and minutes/);
    expect(() =>
      readDurationSeconds(new ConfigReader({ d: { seconds: 0 } }), 'd', 'x'),
    ).toThrow('x.d must be a positive duration');
  });

  it('applies to role durations, the schedule and the catalog sync', () => {
    expect(() =>
      readAccessConfig(
        new ConfigReader({
          securityGuardrails: {
            access: {
              roles: [
                {
                  name: 'debug',
                  clusterRole: 'view',
                  maxDuration: { hours: 1, seconds: 5 },
                },
              ],
            },
          },
        }),
      ),
    ).toThrow(/maxDuration has hours and seconds/);
    const posture = (value: JsonObject): JsonObject => ({
      securityGuardrails: { posture: value },
    });
    expect(() =>
      readPostureConfig(
        layers(
          posture({ schedule: { frequency: { minutes: 10 }, timeout: '5m' } }),
          posture({ schedule: { frequency: { seconds: 30 } } }),
        ),
      ),
    ).toThrow(
      /^securityGuardrails\.posture\.schedule\.frequency has minutes and seconds/,
    );
    expect(
      readPostureConfig(
        layers(
          posture({
            schedule: { frequency: { cron: '*/5 * * * *' }, timeout: '5m' },
          }),
        ),
      ).schedule.frequency,
    ).toEqual({ cron: '*/5 * * * *' });
    expect(() =>
      readPostureConfig(
        layers(
          posture({ catalogSync: { frequency: { seconds: 5 } } }),
          posture({ catalogSync: { frequency: { minutes: 1 } } }),
        ),
      ),
    ).toThrow(/catalogSync\.frequency has minutes and seconds/);
  });
});
