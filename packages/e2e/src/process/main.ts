/*
 * Process-level reliability tests: real backend processes (`yarn workspace
 * backend start`, as `./portal start` runs it), killed, doubled and starved
 * of their database, driven over HTTP with real user tokens from the demo
 * sign-in provider. The scenarios are in ./scenarios, one file each.
 *
 * Usage: yarn test:process [--only sigkill,replicas,pg-restart]
 * Environment: BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING (default
 * postgresql://postgres@127.0.0.1:5432) for `replicas`; PG_BIN (default: the
 * newest /usr/lib/postgresql/<version>/bin) for `pg-restart`;
 * PROCESS_TEST_PORT (default 7210; each backend takes the next port).
 *
 * Exit code 1 when any scenario fails, or when one cannot run (no PostgreSQL,
 * no initdb) under CI=true. Logs of every backend go to artifacts/process/.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../harness/root';
import { Failure } from '../harness/util';
import { pgRestart } from './scenarios/pgRestart';
import { replicas } from './scenarios/replicas';
import { sigkill } from './scenarios/sigkill';
import { Scenario } from './scenarios/types';

const SCENARIOS: Scenario[] = [sigkill, replicas, pgRestart];

const log = (message: string) => console.log(`[process] ${message}`);

function wantedScenarios(argv: string[]): Set<string> {
  const onlyIndex = argv.indexOf('--only');
  const names = onlyIndex >= 0 ? argv[onlyIndex + 1]?.split(',') ?? [] : [];
  const known = SCENARIOS.map(s => s.name);
  const unknown = names.filter(n => !known.includes(n));
  if (unknown.length) {
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; the scenarios are ${known.join(
        ', ',
      )}`,
    );
  }
  return new Set(names.length ? names : known);
}

async function main(): Promise<number> {
  const wanted = wantedScenarios(process.argv.slice(2));
  const artifacts = fromRoot('artifacts', 'process');
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'guardrails-process-'));
  chmodSync(work, 0o755);
  // Under CI a scenario that cannot run is a failure, not a skip.
  const strict = process.env.CI === 'true';

  let failed = false;
  for (const scenario of SCENARIOS) {
    if (!wanted.has(scenario.name)) continue;
    const dir = join(work, scenario.name);
    mkdirSync(dir, { recursive: true });
    const started = Date.now();
    try {
      const skipped = await scenario.run({ work: dir, artifacts, log });
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      if (skipped) {
        log(
          `${strict ? 'FAIL' : 'SKIP'}  ${
            scenario.name
          }: cannot run: ${skipped}`,
        );
        if (strict) failed = true;
      } else {
        log(`ok    ${scenario.name} (${seconds} s)`);
      }
    } catch (error) {
      failed = true;
      const report =
        error instanceof Failure || !(error instanceof Error)
          ? String(error instanceof Error ? error.message : error)
          : error.stack;
      log(`FAIL  ${scenario.name}: ${report}`);
    }
  }
  if (!failed) rmSync(work, { recursive: true, force: true });
  else log(`state kept in ${work}; backend logs in ${artifacts}`);
  return failed ? 1 : 0;
}

main().then(
  code => process.exit(code),
  error => {
    log(`FAIL  ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
