/*
 * Durations in config: a string ('15s', '24h', 'PT15M', as Backstage's
 * readDurationFromConfig reads them) or an object of exactly one unit
 * ({ hours: 24 }).
 *
 * Config files are layered and objects merge key by key, so { hours: 24 } in
 * one file and { seconds: 15 } in the next would read as 24 h 15 s, a value no
 * file states. With one unit per object a duration is one value per file: a
 * string, or an object of the same unit, in a later file replaces it, and an
 * object that gained a second unit from another file is refused at start,
 * naming the key.
 */
import { Config, readDurationFromConfig } from '@backstage/config';
import { HumanDuration } from '@backstage/types';
import { Duration } from 'luxon';

const UNITS = [
  'years',
  'months',
  'weeks',
  'days',
  'hours',
  'minutes',
  'seconds',
  'milliseconds',
];

/** Throws unless `key` holds one duration value (see above). */
export function checkOneDuration(
  config: Config,
  key: string,
  where: string,
): void {
  if (typeof config.getOptional(key) !== 'object') return;
  const keys = config.getConfig(key).keys();
  const units = UNITS.filter(u => keys.includes(u));
  if (units.length > 1) {
    throw new Error(
      `${where}.${key} has ${units.join(
        ' and ',
      )}: give one unit ({ hours: 24 }) or a string ('24h', '90m', 'PT1H30M'). Config files merge objects key by key, so units from two files would add up`,
    );
  }
}

export function readDuration(
  config: Config,
  key: string,
  where: string,
): HumanDuration {
  checkOneDuration(config, key, where);
  return readDurationFromConfig(config, { key });
}

/** A positive duration in whole seconds. */
export function readDurationSeconds(
  config: Config,
  key: string,
  where: string,
): number {
  const value = Duration.fromObject(readDuration(config, key, where)).as(
    'seconds',
  );
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${where}.${key} must be a positive duration`);
  }
  return Math.round(value);
}
