/*
 * Exemptions turn a failing or warning result into `exempt`. They come from
 * config, from approved exemption requests, and (unless switched off) from
 * workload annotations. Every exemption has a reason and an expiry; expired
 * ones stop counting.
 */
import { EXEMPTION_ANNOTATION_PREFIX } from '@internal/backstage-plugin-security-guardrails-common';
import {
  CheckResult,
  ExemptionInfo,
  KubeObject,
} from '@internal/backstage-plugin-security-guardrails-node';

export interface ExemptionRule {
  checkId: string;
  /** Scope: every field that is set must match. */
  entityRef?: string;
  cluster?: string;
  namespace?: string;
  kind?: string;
  name?: string;
  reason: string;
  /** RFC 3339 (or a YYYY-MM-DD date, meaning the end of that day UTC). */
  expiresAt: string;
  source: 'config' | 'request';
  approvedBy?: string[];
  requestId?: string;
}

/** Parses an expiry: a full RFC 3339 time, or a date meaning the end of that day in UTC. */
export function parseExpiry(value: string): Date | undefined {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const t = Date.parse(`${v}T23:59:59Z`);
    return Number.isNaN(t) ? undefined : new Date(t);
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** Reads `security-guardrails.io/exempt-<check>: "<YYYY-MM-DD> <reason>"` annotations. */
export function annotationExemptions(
  obj: KubeObject,
): Map<string, { reason: string; expiresAt: Date | undefined; raw: string }> {
  const out = new Map<
    string,
    { reason: string; expiresAt: Date | undefined; raw: string }
  >();
  for (const [key, value] of Object.entries(obj.metadata.annotations ?? {})) {
    if (
      !key.startsWith(EXEMPTION_ANNOTATION_PREFIX) ||
      typeof value !== 'string'
    )
      continue;
    const checkId = key.slice(EXEMPTION_ANNOTATION_PREFIX.length);
    const m = /^\s*(\S+)\s+(.+)$/s.exec(value);
    out.set(checkId, {
      expiresAt: m ? parseExpiry(m[1]) : undefined,
      reason: m ? m[2].trim() : '',
      raw: value,
    });
  }
  return out;
}

export class ExemptionMatcher {
  readonly #byCheck = new Map<
    string,
    Array<{ rule: ExemptionRule; expires: Date }>
  >();

  constructor(rules: ExemptionRule[], now: Date) {
    for (const rule of rules) {
      const expires = parseExpiry(rule.expiresAt);
      if (
        !expires ||
        expires.getTime() <= now.getTime() ||
        !rule.reason?.trim()
      )
        continue;
      const list = this.#byCheck.get(rule.checkId) ?? [];
      list.push({ rule, expires });
      this.#byCheck.set(rule.checkId, list);
    }
  }

  /** The first active rule covering a result owned by these entities. */
  match(result: CheckResult, entityRefs: string[]): ExemptionInfo | undefined {
    const candidates = this.#byCheck.get(result.checkId);
    if (!candidates) return undefined;
    const r = result.resource;
    for (const { rule, expires } of candidates) {
      if (rule.entityRef && !entityRefs.includes(rule.entityRef)) continue;
      if (rule.cluster && rule.cluster !== r.cluster) continue;
      if (rule.namespace && rule.namespace !== r.namespace) continue;
      if (rule.kind && rule.kind !== r.kind) continue;
      if (rule.name && rule.name !== r.name) continue;
      return {
        source: rule.source,
        reason: rule.reason,
        expiresAt: expires.toISOString(),
        approvedBy: rule.approvedBy,
        requestId: rule.requestId,
      };
    }
    return undefined;
  }
}
