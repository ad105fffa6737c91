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

/** What one exemption annotation says. */
export type AnnotationExemption = {
  reason: string;
  expiresAt: Date | undefined;
  raw: string;
};

/**
 * Reads `security-guardrails.io/exempt-<check>: "<YYYY-MM-DD> <reason>"`
 * annotations, by check id; undefined when the object has none (most do
 * not, and this is asked of every object evaluated).
 */
export function annotationExemptions(
  obj: KubeObject,
): Map<string, AnnotationExemption> | undefined {
  const annotations = obj.metadata.annotations;
  if (!annotations || typeof annotations !== 'object') return undefined;
  let out: Map<string, AnnotationExemption> | undefined;
  for (const key in annotations) {
    if (
      !Object.prototype.hasOwnProperty.call(annotations, key) ||
      !key.startsWith(EXEMPTION_ANNOTATION_PREFIX)
    )
      continue;
    const value: unknown = annotations[key];
    if (typeof value !== 'string') continue;
    const checkId = key.slice(EXEMPTION_ANNOTATION_PREFIX.length);
    const m = /^\s*(\S+)\s+(.+)$/s.exec(value);
    out ??= new Map();
    out.set(checkId, {
      expiresAt: m ? parseExpiry(m[1]) : undefined,
      reason: m ? m[2].trim() : '',
      raw: value,
    });
  }
  return out;
}

/** The active rules of one check, in order, and where to look for an entity's. */
interface CheckRules {
  rules: Array<{ rule: ExemptionRule; expires: Date }>;
  /** Positions of the rules scoped to an entity, by entity. */
  byEntity: Map<string, number[]>;
  /** Positions of the rules for any entity. */
  anyEntity: number[];
}

/**
 * The active exemptions, by check and by entity: a result is compared with
 * the rules of its own entities and those for any entity, not with every
 * rule of its check (a campaign can bring thousands of approved exemptions
 * of one check, each for one service).
 */
export class ExemptionMatcher {
  readonly #byCheck = new Map<string, CheckRules>();

  constructor(rules: ExemptionRule[], now: Date) {
    for (const rule of rules) {
      const expires = parseExpiry(rule.expiresAt);
      if (
        !expires ||
        expires.getTime() <= now.getTime() ||
        !rule.reason?.trim()
      )
        continue;
      let forCheck = this.#byCheck.get(rule.checkId);
      if (!forCheck) {
        forCheck = { rules: [], byEntity: new Map(), anyEntity: [] };
        this.#byCheck.set(rule.checkId, forCheck);
      }
      const at = forCheck.rules.length;
      forCheck.rules.push({ rule, expires });
      if (rule.entityRef) {
        const own = forCheck.byEntity.get(rule.entityRef);
        if (own) own.push(at);
        else forCheck.byEntity.set(rule.entityRef, [at]);
      } else {
        forCheck.anyEntity.push(at);
      }
    }
  }

  /** The first active rule (in the order given) covering a result owned by these entities. */
  match(result: CheckResult, entityRefs: string[]): ExemptionInfo | undefined {
    const forCheck = this.#byCheck.get(result.checkId);
    if (!forCheck) return undefined;
    let positions = forCheck.anyEntity;
    let merged = false;
    for (const ref of entityRefs) {
      const own = forCheck.byEntity.get(ref);
      if (!own) continue;
      positions = [...positions, ...own];
      merged = true;
    }
    if (merged) positions.sort((a, b) => a - b);
    const r = result.resource;
    let previous = -1;
    for (const at of positions) {
      // An entity listed twice brings its rules twice.
      if (at === previous) continue;
      previous = at;
      const { rule, expires } = forCheck.rules[at];
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
