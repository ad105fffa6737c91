/*
 * Plain data the posture engine works on: Kubernetes objects as JSON,
 * catalog entities, and what checks return.
 */
import type {
  CheckFix,
  CheckResult,
  Domain,
  ExemptionInfo,
  ResourceRef,
  ResultStatus,
  Severity,
} from '@internal/backstage-plugin-security-guardrails-common';

export interface OwnerReference {
  apiVersion?: string;
  kind: string;
  name: string;
  uid?: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  creationTimestamp?: string;
}

/** A Kubernetes object as JSON, the way the API server and manifests have it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface SourceLocation {
  file: string;
  line: number;
}

export interface SourceError {
  message: string;
  file?: string;
  line?: number;
  /** The kind whose listing failed, for live clusters. */
  kind?: string;
}

export type ClusterReadStatus = 'ok' | 'partial' | 'unreachable';

/** What one source read from one cluster (or one manifests directory). */
export interface ClusterSnapshot {
  cluster: string;
  /** RFC 3339 time of the read; null when nothing could be read. */
  readAt: string | null;
  status: ClusterReadStatus;
  objects: KubeObject[];
  /** Where each object's document is, for manifests. */
  locations?: Map<KubeObject, SourceLocation>;
  errors: SourceError[];
  /** What a reader decided on the user's behalf (e.g. where namespace-less objects were placed). */
  notices?: string[];
}

export interface ClusterState {
  clusters: ClusterSnapshot[];
}

/** The catalog entity fields the engine reads (ownership checks, mapping). */
export interface EntityInfo {
  ref: string;
  kind: string;
  namespace: string;
  name: string;
  owner?: string;
  system?: string;
  /** spec.lifecycle (production, experimental...). */
  lifecycle?: string;
  /** metadata.tags, for scoping campaigns. */
  tags?: string[];
  annotations: Record<string, string>;
  links: Array<{ url: string; title?: string; type?: string }>;
}

export interface CheckMeta {
  id: string;
  title: string;
  domain: Domain;
  severity: Severity;
  rationale: string;
  remediation: string;
  references?: string[];
  /**
   * How a result's severity departs from `severity` with the evidence, e.g.
   * "critical when ...". Required of a check whose findings set their own
   * severity; results always carry the effective one.
   */
  severityRule?: string;
  /**
   * The value that fixes a failing result's field, when one value does
   * (`false` for `securityContext.privileged`): the portal fills it into a
   * patch for the object and container that failed.
   */
  fix?: CheckFix;
}

/** What a check returns for one subject; the engine adds resource, domain and severity. */
export interface Finding {
  status: Exclude<ResultStatus, 'exempt'>;
  message: string;
  container?: string;
  field?: string;
  observed?: string;
  /** Overrides the check's severity (policy reports carry their own). */
  severity?: Severity;
  /** Overrides the resource, when a finding is about a related object (a binding, a role). */
  resource?: Omit<ResourceRef, 'cluster'>;
}

export type { CheckResult, ExemptionInfo, ResourceRef };
