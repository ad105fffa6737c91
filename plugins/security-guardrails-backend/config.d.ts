import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Security Guardrails: posture of services and time-limited access. */
  securityGuardrails?: {
    /**
     * Clusters to read. A `manifests` cluster is a set of directories of
     * Kubernetes manifests standing in for a cluster (the embedded default);
     * a `kubernetes` cluster is a live API server.
     */
    clusters?: Array<{
      /** Name results and grants refer to: lower case, digits, `.`, `_`, `-`. */
      name: string;
      /** Default: kubernetes. */
      type?: 'manifests' | 'kubernetes';
      /** manifests: directories or files, read recursively; relative to the backend's working directory. */
      paths?: string[];
      /** manifests: namespace of objects that do not set one (default: default). */
      defaultNamespace?: string;
      /** manifests: directory where approved grants are written as RoleBinding files (GitOps-style). */
      grantsDirectory?: string;
      /** kubernetes: the API server URL. */
      url?: string;
      /** kubernetes: how the backend authenticates (default serviceAccount). */
      authProvider?: 'serviceAccount' | 'kubeconfig' | 'inCluster' | 'none';
      /**
       * kubernetes: the backend's service account token (see deploy/ for its least-privilege RBAC).
       * @visibility secret
       */
      serviceAccountToken?: string;
      /**
       * kubernetes: base64 PEM of the API server's CA.
       * @visibility secret
       */
      caData?: string;
      /** kubernetes: path of the API server's CA file. */
      caFile?: string;
      /** kubernetes: skip TLS verification (never in production; required for http:// test servers). */
      skipTLSVerify?: boolean;
      /** kubernetes with authProvider kubeconfig: the file (default: the usual lookup). */
      kubeconfigPath?: string;
      /** kubernetes with authProvider kubeconfig: the context to use. */
      kubeconfigContext?: string;
      /** kubernetes: per-request timeout in milliseconds (default 15000). */
      requestTimeoutMs?: number;
      /** kubernetes: items per list page (default 500). */
      pageSize?: number;
      /** kubernetes: kinds listed in parallel (default 4). */
      concurrency?: number;
      /**
       * kubernetes: follow the cluster with watches, so a change shows in its
       * services' postures within seconds (default true). One replica at a
       * time watches each cluster (a scheduler lease); the scheduled full
       * refresh still runs as a safety net.
       */
      watch?: boolean;
      /**
       * kubernetes: how long one replica holds a cluster's watch before the
       * lease is claimed again, in seconds (default 150; at least 10). A
       * replica that stops is replaced after this plus 30 s.
       */
      watchLeaseSeconds?: number;
    }>;

    /**
     * Also read the clusters configured for the Backstage Kubernetes plugin
     * (`kubernetes.clusterLocatorMethods` of type `config` with service
     * account auth), so clusters are configured once. Default false.
     */
    useKubernetesPluginClusters?: boolean;

    /** What the checks consider. */
    checks?: {
      /** img.registry-allowed: allowed registries or `registry/path` prefixes; the check is off when empty. */
      allowedRegistries?: string[];
      /** res.limits: also require CPU limits (default false). */
      requireCpuLimits?: boolean;
      /** maint.deprecated-api: the Kubernetes version of the clusters (default 1.31). */
      kubernetesVersion?: string;
      /** own.oncall: annotations naming an on-call rotation (default: PagerDuty, Opsgenie, ...). */
      oncallAnnotations?: string[];
      /** maint.*: annotations holding a binding's RFC 3339 expiry. */
      expiryAnnotations?: string[];
      /** maint.standing-privilege: ClusterRoles that count as powerful (default cluster-admin, admin, edit). */
      powerfulRoles?: string[];
      /** Check ids not to run. */
      disabled?: string[];
      /**
       * Honour `security-guardrails.io/exempt-<check>` annotations on workloads
       * (default true). Anyone who can deploy can set them; switch off to
       * accept only config and approved exemption requests.
       */
      annotationExemptions?: boolean;
    };

    /** Exemptions decided in config. Each needs a reason and an expiry; expired ones stop counting. */
    exemptions?: Array<{
      /** The check id. */
      check: string;
      /** Scope: every field set must match. */
      entity?: string;
      cluster?: string;
      namespace?: string;
      kind?: string;
      name?: string;
      reason: string;
      /** RFC 3339 time or YYYY-MM-DD (end of that day, UTC). */
      expires: string;
    }>;

    /** Time-limited access and exemption requests. */
    access?: {
      /**
       * The roles that can be requested. Only their ClusterRoles can ever be
       * bound (the backend's own RBAC should allow `bind` on exactly these).
       * Default: view (auto-approved, 8 h), edit (1 approval, 4 h), admin (2 approvals by security leads, 1 h).
       */
      roles?: Array<{
        /** What people ask for: lower case, e.g. `edit`. */
        name: string;
        /** The ClusterRole the RoleBinding refers to. */
        clusterRole: string;
        description?: string;
        maxDuration: HumanDuration | string;
        /** Default: 1 hour, or the maximum if shorter. */
        defaultDuration?: HumanDuration | string;
        /** Distinct approvals needed; 0 auto-approves (default 1). */
        approvals?: number;
        /** Who may approve: members of the entity's owning group and/or the security leads (default both). */
        approvers?: Array<'owners' | 'security-leads'>;
        /** Only members of the owning group may request it (default: when approvals are needed). */
        requesterMustBeOwner?: boolean;
        /** An extension needs a new approval (default: when approvals are needed). */
        extensionNeedsApproval?: boolean;
      }>;
      /** The security leads group (default group:default/security-leads). */
      securityLeadsGroup?: string;
      /** Grants one person may hold at once (default 3). */
      maxActiveGrantsPerUser?: number;
      /** A pending request times out after this (default 24 hours). */
      pendingTimeout?: HumanDuration | string;
      /** How often expiry is swept (default 30 seconds). */
      sweepFrequency?: HumanDuration | string;
      /** The requester is notified this long before a grant expires (default 10 minutes). */
      expiryWarning?: HumanDuration | string;
      /** Attempts to apply a grant before it is marked failed (default 8). */
      maxApplyAttempts?: number;
      /**
       * The platform's word on who owns each namespace, besides the
       * security-guardrails.io/owner label (or annotation) on Namespace
       * objects: access to a service lands only in namespaces given to its owner.
       */
      namespaceOwners?: Array<{
        cluster: string;
        namespace: string;
        /** A group ref, e.g. group:default/storefront-team. */
        owner: string;
      }>;
      /** System namespaces (kube-system, kube-public, kube-node-lease) that may still be targets (default none). */
      allowSystemNamespaces?: string[];
      /** Exemption requests: approved by security leads by default, for at most 90 days. */
      exemptions?: {
        maxDuration?: HumanDuration | string;
        approvals?: number;
        approvers?: Array<'owners' | 'security-leads'>;
      };
      /**
       * How a Backstage user becomes the Kubernetes RBAC User of a grant:
       * `email` (spec.profile.email, the default, as OIDC clusters see users),
       * `name` (the entity name), or `annotation` (the value of `annotation`).
       */
      subject?: {
        from?: 'email' | 'name' | 'annotation';
        annotation?: string;
      };
    };

    posture?: {
      /** How often every entity is evaluated (default every 10 minutes). */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * How often the catalog is compared with what was evaluated (default
       * every 5 seconds): entities new or changed in the catalog are evaluated
       * then, from the cluster state already read. One cheap catalog query of
       * refs and etags when nothing changed.
       */
      catalogSync?: { frequency: HumanDuration | string };
      /** Days of score and check history kept (default 180). */
      historyRetentionDays?: number;
      /** Minimum seconds between two on-demand refreshes of one entity (default 30). */
      refreshIntervalSeconds?: number;
      /** On-demand refreshes one person may ask for in any minute, whatever the entities (default 10). */
      refreshesPerCallerPerMinute?: number;
      /** Entity kinds that get a posture (default Component and Resource). */
      entityKinds?: string[];
      /**
       * Stored answers each replica keeps in memory, so that an entity's
       * posture is served without a database round trip. A change written by
       * another replica shows within `maxStalenessMs`; this replica's own at
       * once.
       */
      answerCache?: {
        /** Megabytes of compressed answers kept (default 64, about 18,000 services; 0 turns the cache off). */
        maxMegabytes?: number;
        /** Milliseconds between two checks of the shared posture version (default 1000, at most 60000). */
        maxStalenessMs?: number;
      };
    };
    /**
     * Demo only, never in production: a fresh demo gets this many days of
     * daily history per service (derived from its first real posture) so
     * trends, movers and "failing since" have something to show.
     */
    demo?: {
      /** Days of history to seed before a service's first posture (0 to 90; default 0, none). */
      seedHistoryDays?: number;
      /** Create the two demo campaigns once (default false). */
      seedCampaigns?: boolean;
    };
  };
}
