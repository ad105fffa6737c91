#!/usr/bin/env node
/*
 * The `guardrails` command line: `guardrails scan <path>...`.
 * In this repository: `yarn guardrails scan examples/cluster/demo`.
 */
import { once } from 'node:events';
import { runScan, USAGE } from './scan';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = {
    stdout: (t: string) => process.stdout.write(t),
    drain: async () => {
      await once(process.stdout, 'drain');
    },
    stderr: (t: string) => process.stderr.write(t),
    // `yarn guardrails` runs from the repository root; INIT_CWD is where yarn was invoked.
    cwd: process.env.INIT_CWD ?? process.cwd(),
  };
  if (command === 'scan') return runScan(rest, io);
  if (
    !command ||
    command === '--help' ||
    command === '-h' ||
    command === 'help'
  ) {
    io.stdout(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  io.stderr(`guardrails: unknown command '${command}'\n\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  code => {
    process.exitCode = code;
  },
  error => {
    process.stderr.write(`guardrails: ${error?.stack ?? error}\n`);
    process.exitCode = 2;
  },
);
