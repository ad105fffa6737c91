/*
 * What the posture service keeps: the latest posture of each entity, a score
 * time series that grows only on change, each result's status with "since",
 * and org-wide state. DatabasePostureStore implements it over the plugin's
 * database (SQLite or PostgreSQL).
 */
import {
  CheckResult,
  CheckStatusChange,
  ClusterDataStatus,
  Domain,
  DomainGrade,
  EntityPosture,
  Grade,
  PostureListItem,
  PostureScore,
  ScorePoint,
  UnownedFindings,
} from '@internal/backstage-plugin-security-guardrails-common';

/** Result counts of one check: pass, fail, warn, exempt, not applicable. */
export type CheckCounts = [number, number, number, number?, number?];

/** What an evaluation produced for one entity. */
export interface PostureRecord {
  entityRef: string;
  owner?: string;
  system?: string;
  lifecycle?: string;
  /** The catalog entity's metadata.tags. */
  tags?: string[];
  evaluatedAt: string;
  /** When the cluster state it was evaluated from was read (ISO); `evaluatedAt` when not given. */
  observedAt?: string;
  stale: boolean;
  mapped: boolean;
  clusters: ClusterDataStatus[];
  score: PostureScore;
  results: CheckResult[];
  /** The catalog entity's metadata.etag this posture was computed from. */
  catalogEtag?: string;
}

/** The light columns of a posture, for rollups. */
export interface PostureSummaryRow {
  entityRef: string;
  owner?: string;
  system?: string;
  lifecycle?: string;
  score: number | null;
  grade: Grade | null;
  domains: Record<Domain, DomainGrade>;
  criticalFailures: number;
  namespaces: string[];
  /** Per check: [pass, fail, warn, exempt, not applicable] (rows stored before 2026-12-04 have the first three). */
  checkCounts: Record<string, CheckCounts>;
}

export interface ListFilter {
  owner?: string[];
  system?: string[];
  lifecycle?: string[];
  grade?: Grade[];
  /** With `grade`, filter on this domain's grade; alone, entities failing a check in the domain. */
  domain?: Domain;
  failingCheck?: string;
  /** Only these entities (visibility already decided by the caller). */
  entityRefs?: string[];
}

export interface SaveStats {
  saved: number;
  scoreChanges: number;
  checkChanges: number;
  /** Left alone: the stored posture was observed later (SaveOptions.keepNewer). */
  keptNewer: number;
}

/** A score point, as trends read it. */
export interface ScoreAt {
  score: number | null;
  grade: Grade | null;
  domains: Record<Domain, DomainGrade>;
}

export interface SaveOptions {
  /**
   * Leaves a stored posture alone when it was observed after this record's
   * state was (the full refresh: a watched cluster's change evaluated while
   * the refresh ran is newer than what the refresh read).
   */
  keepNewer?: boolean;
}

/** A stored posture as the API sends it. */
export interface PostureAnswer {
  /** UTF-8 JSON, gzip-compressed when `encoding` is 'gzip'. */
  body: Buffer;
  encoding: 'gzip' | 'identity';
  /** A weak ETag of the answer, when it was stored with one. */
  etag?: string;
}

export interface PostureStore {
  /**
   * Stores evaluations: replaces the latest posture, appends a score point
   * when the score or a grade changed, and records check status changes.
   */
  save(
    records: PostureRecord[],
    now?: Date,
    options?: SaveOptions,
  ): Promise<SaveStats>;
  /**
   * Marks postures stale because a cluster they depend on could not be read;
   * the last good results stay, with that cluster's status updated.
   */
  markStale(entityRefs: string[], cluster: ClusterDataStatus): Promise<void>;
  /** Entities whose stored posture uses a cluster. */
  entitiesInCluster(cluster: string): Promise<string[]>;
  /** Every stored entity with the catalog etag its posture was computed from (null when unknown). */
  evaluatedVersions(): Promise<Map<string, string | null>>;
  listEntityRefs(): Promise<string[]>;
  /** Forgets entities that left the catalog (their score history ages out with retention). */
  deleteEntities(entityRefs: string[]): Promise<void>;
  /** The latest posture, each failing or warning result with when it began. */
  get(entityRef: string): Promise<EntityPosture | undefined>;
  /**
   * The same posture as the bytes the API answers with (served without
   * re-serialising): gzip-compressed as stored when `gzip` is accepted and
   * the row holds a compressed answer, plain UTF-8 JSON otherwise.
   */
  getAnswer(
    entityRef: string,
    options?: { gzip?: boolean },
  ): Promise<PostureAnswer | undefined>;
  /** The fail and warn results of some checks across every stored posture, by entity. */
  flagged(
    checkIds: string[],
  ): Promise<Array<{ entityRef: string; result: CheckResult }>>;
  /** The clusters and namespaces where an entity's objects are, from its latest posture. */
  targets(
    entityRef: string,
  ): Promise<Array<{ cluster: string; namespaces: string[] }>>;
  /** Score points and check changes in [from, to], with the score in force at `from`. */
  history(
    entityRef: string,
    from: string,
    to: string,
  ): Promise<{ scores: ScorePoint[]; checks: CheckStatusChange[] }>;
  /** A page of postures ordered by entity ref; `after` is the last ref of the previous page. */
  list(
    filter: ListFilter,
    page: { after?: string; limit: number },
  ): Promise<PostureListItem[]>;
  /** The light columns of every posture, for rollups. */
  summaryRows(): Promise<PostureSummaryRow[]>;
  /** Each entity's score point in force at a time (the last change at or before it). */
  scoresAt(at: string): Promise<Map<string, ScoreAt>>;
  /** Score points in a window, for trends. */
  historyBetween(
    from: string,
    to: string,
  ): Promise<
    Array<{
      entityRef: string;
      at: string;
      score: number | null;
      grade: Grade | null;
    }>
  >;
  /** A cheap marker that changes whenever postures change, for caches. */
  version(): Promise<string>;
  /** Drops history older than the retention, keeping each entity's score at the cut. */
  prune(olderThan: string): Promise<number>;
  /**
   * Brings the database's planner statistics and visibility map up to date
   * after a full refresh rewrote the tables (PostgreSQL; nothing elsewhere).
   */
  refreshStatistics(): Promise<void>;
  setOrgState(key: string, value: unknown, now?: Date): Promise<void>;
  /** Sets a key only if it is not set yet; true for the caller that set it. */
  claimOrgState(key: string, value: unknown, now?: Date): Promise<boolean>;
  getOrgState<T>(
    key: string,
  ): Promise<{ value: T; updatedAt: string } | undefined>;
  getUnowned(): Promise<UnownedFindings>;
}
