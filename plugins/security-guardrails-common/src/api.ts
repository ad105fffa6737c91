import { CheckResult } from './results';
import { PostureScore } from './scoring';

/*
 * Shapes of the HTTP API under /api/security-guardrails, shared by the
 * backend router and the frontend client.
 */

/**
 * How fresh the cluster data behind a posture is.
 *
 * @public
 */
export interface ClusterDataStatus {
  cluster: string;
  /** When the cluster state was read; null when it never was. */
  readAt: string | null;
  /** `partial`: some kinds or files could not be read; `unreachable`: nothing could. */
  status: 'ok' | 'partial' | 'unreachable';
  message?: string;
  /**
   * What the reader decided on the user's behalf, e.g. the namespace it
   * placed namespace-less manifests in.
   */
  notices?: string[];
}

/**
 * A result as the API returns it: with how long it has been failing.
 *
 * @public
 */
export interface PostureResult extends CheckResult {
  /** RFC 3339 time since when this (check, resource, container) fails. */
  failingSince?: string;
}

/**
 * The latest posture of one catalog entity.
 *
 * @public
 */
export interface EntityPosture {
  entityRef: string;
  /** When the engine evaluated it. */
  evaluatedAt: string;
  /** Clusters whose objects map to the entity, with their freshness. */
  clusters: ClusterDataStatus[];
  /** True when a cluster behind this posture could not be read at the last refresh. */
  stale: boolean;
  /** False when no cluster object maps to the entity (catalog checks only). */
  mapped: boolean;
  score: PostureScore;
  results: PostureResult[];
}
