import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { readPostureConfig } from './posture';

const withAnswerCache = (answerCache: JsonObject) =>
  new ConfigReader({ securityGuardrails: { posture: { answerCache } } });

describe('posture.answerCache in config', () => {
  it('keeps 64 MB of answers, checked every second, by default', () => {
    expect(readPostureConfig(new ConfigReader({})).answerCache).toEqual({
      maxBytes: 64 * 1024 * 1024,
      maxStalenessMs: 1000,
    });
  });

  it('reads both keys, and 0 megabytes turns the cache off', () => {
    expect(
      readPostureConfig(
        withAnswerCache({ maxMegabytes: 0, maxStalenessMs: 250 }),
      ).answerCache,
    ).toEqual({ maxBytes: 0, maxStalenessMs: 250 });
  });

  it.each([
    [
      { maxMegabytes: -1 },
      /answerCache\.maxMegabytes must be a number from 0 to 4096/,
    ],
    [{ maxMegabytes: 5000 }, /answerCache\.maxMegabytes/],
    [
      { maxStalenessMs: -5 },
      /answerCache\.maxStalenessMs must be a number of milliseconds from 0 to 60000/,
    ],
    [{ maxStalenessMs: 120_000 }, /answerCache\.maxStalenessMs/],
  ])('refuses %j, naming the key and the rule', (value, message) => {
    expect(() => readPostureConfig(withAnswerCache(value))).toThrow(message);
  });
});
