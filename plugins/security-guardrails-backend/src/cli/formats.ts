/*
 * Output formats of `guardrails scan`: a table for people, JSON for scripts,
 * SARIF 2.1.0 for code-scanning tools.
 */
import {
  CheckResult,
  failureCounts,
  failureLabel,
  ScoreBreakdown,
  Severity,
  SEVERITIES,
} from '@internal/backstage-plugin-security-guardrails-common';
import { Check, EvaluationError } from '../engine';
import { MappedArray, streamJson } from './streamJson';

export interface ScanReport {
  results: CheckResult[];
  errors: EvaluationError[];
  /** What the reader decided on the user's behalf (where namespace-less objects were placed). */
  notices?: string[];
  score: ScoreBreakdown;
  failOn: Severity;
  /** Failing results at or above the threshold. */
  failing: CheckResult[];
}

export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

function countBy<T extends string>(
  items: CheckResult[],
  key: (r: CheckResult) => T,
) {
  const out: Record<string, number> = {};
  for (const r of items) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return out;
}

/**
 * The JSON summary. "Failing" counts checks, as every view of the product
 * does (`failureCounts`); failing results are counted apart and named so.
 */
export function summaryOf(report: ScanReport) {
  const all = failureCounts(report.results);
  const atThreshold = failureCounts(report.failing);
  return {
    total: report.results.length,
    byStatus: {
      pass: 0,
      fail: 0,
      warn: 0,
      'not-applicable': 0,
      exempt: 0,
      ...countBy(report.results, r => r.status),
    },
    failingChecks: all.checkIds.length,
    failingCheckIds: all.checkIds,
    /** Failing checks by the most severe of their failing results. */
    failingChecksBySeverity: all.checksBySeverity,
    failingResults: all.results,
    failingResultsBySeverity: all.resultsBySeverity,
    score: report.score.score,
    grade: report.score.grade,
    explanation: report.score.explanation,
    failOn: report.failOn,
    /** Failing checks with a failing result at or above `failOn`. */
    failingChecksAtThreshold: atThreshold.checkIds.length,
    failingResultsAtThreshold: atThreshold.results,
    errors: report.errors.length,
  };
}

export function* formatJson(report: ScanReport): Generator<string> {
  const doc = {
    results: new MappedArray(report.results, r => ({
      checkId: r.checkId,
      status: r.status,
      severity: r.severity,
      domain: r.domain,
      resource: {
        apiVersion: r.resource.apiVersion,
        kind: r.resource.kind,
        namespace: r.resource.namespace ?? null,
        name: r.resource.name,
      },
      container: r.container ?? null,
      field: r.field ?? null,
      message: r.message,
      source: r.source ? { file: r.source.file, line: r.source.line } : null,
    })),
    summary: summaryOf(report),
    errors: report.errors.map(e => ({
      file: e.file ?? null,
      line: e.line ?? null,
      message: e.message,
      ...(e.checkId ? { checkId: e.checkId } : {}),
      ...(e.resource ? { resource: e.resource } : {}),
    })),
    notices: report.notices ?? [],
  };
  yield* streamJson(doc, 2);
  yield '\n';
}

const STATUS_LABEL: Record<string, string> = {
  fail: 'FAIL',
  warn: 'WARN',
  pass: 'pass',
  exempt: 'EXEMPT',
  'not-applicable': 'n/a',
};

/** The table, line by line: the widths from a first pass, then each row as it is written. */
export function* formatTable(
  report: ScanReport,
  options: { all?: boolean } = {},
): Generator<string> {
  const shown = report.results.filter(
    r =>
      options.all ||
      r.status === 'fail' ||
      r.status === 'warn' ||
      r.status === 'exempt',
  );
  const cells = (r: CheckResult) => {
    const res = `${r.resource.kind}/${
      r.resource.namespace ? `${r.resource.namespace}/` : ''
    }${r.resource.name}${r.container ? ` [${r.container}]` : ''}`;
    const where = r.source ? `${r.source.file}:${r.source.line}` : '';
    return [
      STATUS_LABEL[r.status] ?? r.status,
      r.severity,
      r.checkId,
      res,
      r.message,
      where,
    ];
  };
  const header = [
    'STATUS',
    'SEVERITY',
    'CHECK',
    'RESOURCE',
    'MESSAGE',
    'SOURCE',
  ];
  const widths = header.map(h => h.length);
  for (const r of shown) {
    cells(r).forEach((c, i) => {
      widths[i] = Math.max(widths[i], c.length);
    });
  }
  widths.forEach((w, i) => {
    widths[i] = Math.min(i === 4 ? 80 : 60, w);
  });
  const clip = (s: string, w: number) =>
    s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w);
  const line = (row: string[]) =>
    `${row
      .map((c, i) => clip(c, widths[i]))
      .join('  ')
      .trimEnd()}\n`;
  if (shown.length > 0) {
    yield line(header);
    for (const r of shown) yield line(cells(r));
    yield '\n';
  }
  const lines: string[] = [];
  const s = summaryOf(report);
  lines.push(
    `${s.total} results: ${s.byStatus.pass} pass, ${s.byStatus.fail} fail, ${s.byStatus.warn} warn, ${s.byStatus.exempt} exempt, ${s.byStatus['not-applicable']} not applicable`,
  );
  lines.push(
    `Score: ${s.grade ? `${s.score} (${s.grade})` : 'no data'} — ${
      s.explanation
    }`,
  );
  // Counted over the results at or above the threshold: a check counts under
  // the most severe of those results.
  const atThreshold = failureCounts(report.failing);
  const bySeverity =
    atThreshold.results > 0
      ? `; by severity: ${SEVERITIES.filter(sev =>
          atOrAbove(sev, report.failOn),
        )
          .map(sev => `${atThreshold.checksBySeverity[sev]} ${sev}`)
          .join(', ')}`
      : '';
  lines.push(
    `Failing at or above ${report.failOn}: ${
      atThreshold.results === 0 ? '0 checks' : failureLabel(atThreshold)
    }${bySeverity}`,
  );
  for (const n of report.notices ?? []) {
    lines.push(`note: ${n}`);
  }
  for (const e of report.errors) {
    lines.push(
      `error: ${e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : ''}${
        e.message
      }`,
    );
  }
  yield `${lines.join('\n')}\n`;
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
};

export function* formatSarif(
  report: ScanReport,
  checks: Check[],
  version: string,
): Generator<string> {
  const findings = report.results.filter(
    r => r.status === 'fail' || r.status === 'warn',
  );
  const ruleIds = [...new Set(findings.map(r => r.checkId))].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map(id => {
    const meta = checks.find(c => c.meta.id === id)?.meta;
    return {
      id,
      name: meta?.title ?? id,
      shortDescription: { text: meta?.title ?? id },
      fullDescription: { text: meta?.rationale ?? id },
      help: {
        text: meta?.remediation ?? '',
        markdown: meta?.remediation ?? '',
      },
      defaultConfiguration: {
        level: meta ? SARIF_LEVEL[meta.severity] : 'warning',
      },
      properties: {
        tags: ['security', 'kubernetes', meta?.domain ?? 'custom'],
        'security-severity': meta ? SECURITY_SEVERITY[meta.severity] : '5.5',
        precision: 'high',
      },
    };
  });
  const results = new MappedArray(findings, r => ({
    ruleId: r.checkId,
    ruleIndex: ruleIndex.get(r.checkId),
    level: r.status === 'warn' ? 'warning' : SARIF_LEVEL[r.severity],
    message: {
      text: `${r.resource.kind}/${
        r.resource.namespace ? `${r.resource.namespace}/` : ''
      }${r.resource.name}${r.container ? ` container ${r.container}` : ''}: ${
        r.message
      }`,
    },
    locations: r.source
      ? [
          {
            physicalLocation: {
              artifactLocation: { uri: r.source.file.split('\\').join('/') },
              region: { startLine: r.source.line },
            },
          },
        ]
      : [],
    partialFingerprints: {
      guardrailsResult: `${r.checkId}|${r.resource.kind}|${
        r.resource.namespace ?? ''
      }|${r.resource.name}|${r.container ?? ''}`,
    },
    properties: { severity: r.severity, domain: r.domain, field: r.field },
  }));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'security-guardrails',
            version,
            rules,
          },
        },
        results,
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: [
              ...(report.notices ?? []).map(n => ({
                level: 'note',
                message: { text: n },
              })),
              ...report.errors.map(e => ({
                level: 'error',
                message: { text: e.message },
                ...(e.file
                  ? {
                      locations: [
                        {
                          physicalLocation: {
                            artifactLocation: {
                              uri: e.file.split('\\').join('/'),
                            },
                            ...(e.line
                              ? { region: { startLine: e.line } }
                              : {}),
                          },
                        },
                      ],
                    }
                  : {}),
              })),
            ],
          },
        ],
      },
    ],
  };
  // sarif → runs → the run → results: each result one chunk.
  yield* streamJson(sarif, 4);
  yield '\n';
}
