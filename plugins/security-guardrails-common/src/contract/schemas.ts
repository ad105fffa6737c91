/*
 * The rules every request part must meet, as zod schemas with the message a
 * caller reads when it does not: path parameters, queries and bodies of the
 * HTTP API, and the request types the frontend infers from them.
 */
import { z } from 'zod/v3';
import { CHECK_ID_PATTERN, DOMAINS } from '../checks';
import { MIN_JUSTIFICATION_LENGTH, REQUEST_STATES } from '../accessApi';

// --- Building blocks ----------------------------------------------------------

/** Catalog name rules: letters, digits, `-`, `_`, `.`; 1-63 characters, starting and ending alphanumeric. */
export const entityNamePart = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/,
    'must be letters, digits, "-", "_" or "." (1-63), starting and ending with a letter or digit',
  );

export const entityKind = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z][A-Za-z0-9]*$/, 'must be a catalog kind such as Component');

/** A query parameter that may be given once or repeated (`?owner=a&owner=b`), or comma-separated. */
export function listParam<T extends z.ZodTypeAny>(item: T) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform(v =>
      (Array.isArray(v) ? v : v.split(',')).map(s => s.trim()).filter(Boolean),
    )
    .pipe(z.array(item).max(50, 'at most 50 values'));
}

export const isoDateTime = z
  .string()
  .max(40)
  .refine(
    v =>
      /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) &&
      !Number.isNaN(Date.parse(v)),
    {
      message:
        'must be an ISO 8601 date or date-time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z',
    },
  );

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const entityRefSchema = z
  .string()
  .max(255)
  .regex(
    /^[a-zA-Z][a-zA-Z0-9]*:[A-Za-z0-9._-]{1,63}\/[A-Za-z0-9._-]{1,63}$/,
    'must be a full entity reference such as component:default/checkout',
  );

const checkId = (example: string) =>
  z
    .string()
    .max(128)
    .regex(CHECK_ID_PATTERN, `must be a check id such as ${example}`);

const justification = z
  .string()
  .trim()
  .min(
    MIN_JUSTIFICATION_LENGTH,
    `must say why, in at least ${MIN_JUSTIFICATION_LENGTH} characters`,
  )
  .max(2000);

const ticket = z
  .string()
  .max(200)
  .regex(/^[\w.#:/?=&%@+-]+$/, 'must be a ticket id or URL without spaces')
  .optional();

const namespaceName = z
  .string()
  .max(63)
  .regex(DNS_LABEL, 'must be a Kubernetes namespace name');

/** A duration in whole seconds, at most this many days. */
const durationSeconds = (maxDays: number) =>
  z
    .number()
    .int()
    .positive()
    .max(maxDays * 24 * 3600);

export const noQuery = z.object({}).strict();

// --- Path parameters ---------------------------------------------------------

export const entityParams = z.object({
  kind: entityKind,
  namespace: entityNamePart,
  name: entityNamePart,
});

export const checkParams = z.object({ id: checkId('sc.privileged') });

export const requestIdParams = z.object({
  id: z.string().uuid('must be a request id (a UUID)'),
});

// --- Queries -----------------------------------------------------------------

/** A catalog spec.lifecycle value: production, experimental, deprecated... */
const lifecycle = z
  .string()
  .max(63)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'must be a lifecycle such as production',
  );

/** A catalog tag, as the catalog's own rule has it (metadata.tags). */
const tag = z
  .string()
  .max(63)
  .regex(
    /^[a-z0-9:+#]+(?:-[a-z0-9:+#]+)*$/,
    'must be a catalog tag: lowercase letters, digits and : + # in words joined by -',
  );

/** A cluster's configured name. */
const clusterName = z
  .string()
  .max(64)
  .regex(/^[a-z0-9](?:[a-z0-9._-]{0,62})?$/, 'must be a cluster name');

/** Which services an org-wide view counts: by owner, system and lifecycle. */
const scopeParams = {
  owner: listParam(z.string().max(255)).optional(),
  system: listParam(z.string().max(255)).optional(),
  lifecycle: listParam(lifecycle).optional(),
};

export const postureListQuery = z
  .object({
    ...scopeParams,
    grade: listParam(z.enum(['A', 'B', 'C', 'D', 'F'])).optional(),
    domain: z.enum(DOMAINS).optional(),
    failingCheck: checkId('sc.privileged').optional(),
    cursor: z
      .string()
      .max(400)
      .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by a previous page')
      .optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

export const historyQuery = z
  .object({ from: isoDateTime.optional(), to: isoDateTime.optional() })
  .strict();

export const summaryQuery = z
  .object({
    groupBy: z
      .enum(['owner', 'system', 'lifecycle', 'domain', 'namespace'])
      .default('owner'),
    ...scopeParams,
  })
  .strict();

export const trendQuery = z
  .object({
    days: z.coerce.number().int().min(1).max(365).default(30),
    ...scopeParams,
  })
  .strict();

export const requestListQuery = z
  .object({
    view: z.enum(['mine', 'to-approve', 'decided', 'all']).default('mine'),
    state: listParam(z.enum(REQUEST_STATES)).optional(),
    entityRef: entityRefSchema.optional(),
    cursor: z
      .string()
      .max(100)
      .regex(
        /^[\dT:.Z-]+\|[0-9a-f-]{36}$/,
        'must be a cursor returned by a previous page',
      )
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const auditQuery = z
  .object({
    actor: z.string().max(255).optional(),
    entityRef: entityRefSchema.optional(),
    requestId: z.string().uuid().optional(),
    from: isoDateTime.optional(),
    to: isoDateTime.optional(),
    cursor: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

// --- Bodies ------------------------------------------------------------------

export const campaignIdParams = z.object({
  id: z.string().uuid('must be a campaign id (a UUID)'),
});

const GRADES = ['A', 'B', 'C', 'D', 'F'] as const;

const campaignFields = {
  name: z.string().trim().min(3, 'at least 3 characters').max(120),
  description: z.string().max(10_000).default(''),
  owner: entityRefSchema,
  startsAt: isoDateTime,
  deadline: isoDateTime,
  target: z
    .object({
      checkIds: z.array(checkId('sc.non-root')).max(50).default([]),
      minGrade: z.enum(GRADES).optional(),
      domain: z.enum(DOMAINS).optional(),
    })
    .strict()
    .refine(t => t.checkIds.length > 0 || t.minGrade !== undefined, {
      message: 'name at least one check or a minimum grade',
    })
    .refine(t => t.domain === undefined || t.minGrade !== undefined, {
      message: 'a domain needs a minimum grade',
      path: ['domain'],
    }),
  scope: z
    .object({
      owners: z.array(entityRefSchema).max(50).default([]),
      systems: z.array(entityRefSchema).max(50).default([]),
      lifecycles: z.array(lifecycle).max(20).default([]),
      tags: z.array(tag).max(20).default([]),
      namespaces: z.array(namespaceName).max(50).default([]),
      clusters: z.array(clusterName).max(20).default([]),
    })
    .strict()
    .default({}),
};

/** Deadline after the start, both real times. */
const inOrder = (b: { startsAt?: string; deadline?: string }) =>
  !b.startsAt || !b.deadline || Date.parse(b.deadline) > Date.parse(b.startsAt);

export const campaignBody = z
  .object({
    ...campaignFields,
    state: z.enum(['draft', 'active']).default('draft'),
  })
  .strict()
  .refine(inOrder, {
    message: 'the deadline must be after the start',
    path: ['deadline'],
  });

export const campaignUpdateBody = z
  .object({
    name: campaignFields.name.optional(),
    description: z.string().max(10_000).optional(),
    owner: entityRefSchema.optional(),
    startsAt: isoDateTime.optional(),
    deadline: isoDateTime.optional(),
    target: campaignFields.target.optional(),
    scope: campaignFields.scope.optional(),
    /** Start a draft, or end an active campaign now. */
    state: z.enum(['draft', 'active', 'ended']).optional(),
  })
  .strict()
  .refine(b => Object.keys(b).length > 0, { message: 'change something' });

export const accessRequestBody = z
  .object({
    entityRef: entityRefSchema,
    role: z
      .string()
      .max(64)
      .regex(/^[a-z][a-z0-9-]*$/, 'must be a role name such as edit'),
    cluster: clusterName,
    namespaces: z.array(namespaceName).min(1).max(20),
    durationSeconds: durationSeconds(31).optional(),
    justification,
    ticket,
  })
  .strict();

export const exemptionRequestBody = z
  .object({
    entityRef: entityRefSchema,
    checkId: checkId('sc.readonly-rootfs'),
    /** The campaign the exemption concerns (active, and naming the check). */
    campaignId: z.string().uuid('must be a campaign id (a UUID)').optional(),
    durationSeconds: durationSeconds(366),
    justification,
    ticket,
    scope: z
      .object({
        cluster: z.string().max(64).optional(),
        namespace: namespaceName.optional(),
        kind: z
          .string()
          .max(63)
          .regex(/^[A-Z][A-Za-z0-9]*$/, 'must be a Kubernetes kind')
          .optional(),
        name: z
          .string()
          .max(253)
          .regex(
            /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
            'must be a Kubernetes name',
          )
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const approveBody = z
  .object({ comment: z.string().trim().max(1000).optional() })
  .strict();

export const denyBody = z
  .object({
    comment: z
      .string()
      .trim()
      .min(3, 'say why the request is denied')
      .max(1000),
  })
  .strict();

export const reasonBody = z
  .object({ reason: z.string().trim().max(1000).optional() })
  .strict();

export const extendBody = z
  .object({
    durationSeconds: durationSeconds(31),
    justification,
  })
  .strict();

/** An access request's body, as validated (what the backend's policy judges). */
export type AccessRequestBody = z.output<typeof accessRequestBody>;
/** An exemption request's body, as validated. */
export type ExemptionRequestBody = z.output<typeof exemptionRequestBody>;
/** What a new access request says (the body of `POST /access-requests`). */
export type NewAccessRequest = z.input<typeof accessRequestBody>;
/** What a new exemption request says (the body of `POST /exemption-requests`). */
export type NewExemptionRequest = z.input<typeof exemptionRequestBody>;
/** The query of `GET /posture`, as a caller writes it. */
export type PostureListQuery = Omit<
  z.input<typeof postureListQuery>,
  'grade' | 'owner' | 'system' | 'lifecycle'
> &
  PostureScope & { grade?: string[] };
/** Which services an org-wide view counts (the query of `GET /summary` and `GET /trend` beside their own). */
export interface PostureScope {
  owner?: string[];
  system?: string[];
  lifecycle?: string[];
}
/** The query of `GET /access-requests` and `GET /exemption-requests`. */
export type RequestListQuery = Omit<
  z.input<typeof requestListQuery>,
  'state'
> & { state?: string[] };
/** The query of `GET /audit`. */
export type AuditQuery = Omit<z.input<typeof auditQuery>, 'cursor'> & {
  cursor?: string;
};

/** A new campaign (the body of `POST /campaigns`). */
export type NewCampaign = z.input<typeof campaignBody>;
/** Changes to a campaign (the body of `PUT /campaigns/{id}`). */
export type CampaignUpdate = z.input<typeof campaignUpdateBody>;
