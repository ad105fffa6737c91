/*
 * `guardrails scan <path>... [--format table|json|sarif] [--fail-on <severity>]`
 *
 * Runs the posture engine over manifest files and directories, as one cluster.
 * Exit codes: 0 when nothing at or above the threshold fails, 1 when something
 * does, 2 on usage or parse errors.
 */
import path from 'node:path';
import {
  scoreResults,
  Severity,
  SEVERITIES,
} from '@internal/backstage-plugin-security-guardrails-common';
import { BUILTIN_CHECKS, evaluate } from '../engine';
import { ManifestsSource } from '../sources/ManifestsSource';
import {
  atOrAbove,
  formatJson,
  formatSarif,
  formatTable,
  ScanReport,
} from './formats';
import { buffered } from './streamJson';

export const USAGE = `Usage: guardrails scan <path>... [options]

Runs the Security Guardrails checks over Kubernetes manifests (YAML, JSON, List
kinds; directories are read recursively). All paths are scanned together.

Options:
  --format table|json|sarif   output format (default: table)
  --fail-on critical|high|medium|low
                              exit 1 when a check of at least this severity
                              fails (default: high)
  --namespace <ns>            namespace of objects that do not set one
                              (default: the one namespace their bindings
                              expect them in, said in a note; else default)
  --kubernetes-version <v>    for maint.deprecated-api (default: 1.31)
  --allowed-registry <r>      enables img.registry-allowed; repeatable
  --disable <check-id>        skip a check; repeatable
  --all                       table: also list passing and n/a results
  -h, --help                  this help

Exit codes: 0 nothing at or above the threshold fails; 1 something does;
2 usage or parse errors.`;

export interface ScanIO {
  /** Returns false when the stream wants `drain` awaited (as a Node.js stream's write does). */
  stdout: (text: string) => boolean | void;
  drain?: () => Promise<void>;
  stderr: (text: string) => void;
  cwd: string;
}

interface ScanArgs {
  paths: string[];
  format: 'table' | 'json' | 'sarif';
  failOn: Severity;
  namespace?: string;
  kubernetesVersion?: string;
  allowedRegistries: string[];
  disabled: string[];
  all: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): ScanArgs | 'help' {
  const args: ScanArgs = {
    paths: [],
    format: 'table',
    failOn: 'high',
    allowedRegistries: [],
    disabled: [],
    all: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '')
        throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-h':
      case '--help':
        return 'help';
      case '--format': {
        const v = value();
        if (v !== 'table' && v !== 'json' && v !== 'sarif') {
          throw new UsageError(
            `--format must be table, json or sarif, not '${v}'`,
          );
        }
        args.format = v;
        break;
      }
      case '--fail-on': {
        const v = value();
        if (!(SEVERITIES as readonly string[]).includes(v)) {
          throw new UsageError(
            `--fail-on must be one of ${SEVERITIES.join(', ')}, not '${v}'`,
          );
        }
        args.failOn = v as Severity;
        break;
      }
      case '--namespace':
        args.namespace = value();
        break;
      case '--kubernetes-version': {
        const v = value();
        if (!/^v?\d+\.\d+/.test(v))
          throw new UsageError(
            `--kubernetes-version must look like 1.31, not '${v}'`,
          );
        args.kubernetesVersion = v;
        break;
      }
      case '--allowed-registry':
        args.allowedRegistries.push(value());
        break;
      case '--disable':
        args.disabled.push(value());
        break;
      case '--all':
        args.all = true;
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        args.paths.push(arg);
    }
  }
  if (args.paths.length === 0) throw new UsageError('no path to scan');
  return args;
}

export async function runScan(argv: string[], io: ScanIO): Promise<number> {
  let args: ScanArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`guardrails scan: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (args === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const unknown = args.disabled.filter(
    id => !BUILTIN_CHECKS.some(c => c.meta.id === id),
  );
  if (unknown.length > 0) {
    io.stderr(
      `guardrails scan: unknown check id(s) for --disable: ${unknown.join(
        ', ',
      )}\n`,
    );
    return 2;
  }

  const source = ManifestsSource.create({
    cluster: 'local',
    paths: args.paths.map(p => path.resolve(io.cwd, p)),
    defaultNamespace: args.namespace,
    relativeTo: io.cwd,
  });
  const snapshot = await source.read();
  const evaluation = evaluate(
    { clusters: [snapshot] },
    {
      settings: {
        allowedRegistries: args.allowedRegistries,
        kubernetesVersion: args.kubernetesVersion,
      },
      disabledChecks: args.disabled,
    },
  );
  const failOn = args.failOn;
  const report: ScanReport = {
    results: evaluation.results,
    errors: evaluation.errors,
    notices: evaluation.notices.map(n => n.message),
    score: scoreResults(evaluation.results).overall,
    failOn,
    failing: evaluation.results.filter(
      r => r.status === 'fail' && atOrAbove(r.severity, failOn),
    ),
  };
  let output: Iterable<string>;
  if (args.format === 'json') output = formatJson(report);
  else if (args.format === 'sarif') {
    output = formatSarif(report, BUILTIN_CHECKS, '0.1.0');
  } else output = formatTable(report, { all: args.all });
  // Streamed in 64 KiB writes, waiting for the reader: memory does not grow with the output.
  for (const chunk of buffered(output)) {
    if (io.stdout(chunk) === false && io.drain) await io.drain();
  }
  if (snapshot.objects.length === 0 && evaluation.errors.length === 0) {
    io.stderr(
      'guardrails scan: no Kubernetes objects found in the given paths\n',
    );
    return 2;
  }
  if (evaluation.errors.length > 0) {
    if (args.format !== 'table') {
      for (const e of evaluation.errors) {
        io.stderr(
          `error: ${e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : ''}${
            e.message
          }\n`,
        );
      }
    }
    return 2;
  }
  return report.failing.length > 0 ? 1 : 0;
}
