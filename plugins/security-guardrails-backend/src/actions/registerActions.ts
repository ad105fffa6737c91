/*
 * Read-only actions for AI agents (MCP clients through the actions registry):
 * a service's posture, its failing checks, the campaigns that apply to it,
 * and a check's remediation. They
 * apply the same visibility and permission rules as the HTTP API.
 */
import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  failureCounts,
  guardrailsChecksReadPermission,
  guardrailsPostureReadPermission,
  SEVERITIES,
} from '@internal/backstage-plugin-security-guardrails-common';
import { CatalogEntities } from '../catalog/CatalogEntities';
import { PostureQueries } from '../posture/PostureQueries';
import { PostureService } from '../posture/PostureService';
import { CampaignService } from '../campaigns/CampaignService';
import { lookupPosture } from '../posture/lookup';
import {
  requireEntityPermission,
  requirePermission,
} from '../service/permissions';

export function registerActions(options: {
  actionsRegistry: ActionsRegistryService;
  permissions: PermissionsService;
  catalog: CatalogEntities;
  posture: PostureService;
  queries: PostureQueries;
  campaigns: CampaignService;
}) {
  const { actionsRegistry, permissions, catalog, posture, queries, campaigns } =
    options;

  async function readablePosture(
    ref: string,
    credentials: BackstageCredentials,
  ) {
    let entityRef: string;
    try {
      entityRef = stringifyEntityRef(
        parseEntityRef(ref, {
          defaultKind: 'component',
          defaultNamespace: 'default',
        }),
      );
    } catch (e) {
      throw new InputError(`entityRef: ${(e as Error).message}`);
    }
    const entity = await catalog.get(entityRef, credentials);
    if (!entity)
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    await requireEntityPermission(
      permissions,
      credentials,
      guardrailsPostureReadPermission,
      entityRef,
    );
    const answer = await lookupPosture({ catalog, posture, queries }, entity);
    if ('missing' in answer) throw new NotFoundError(answer.missing);
    return answer.posture;
  }

  actionsRegistry.register({
    name: 'get-service-posture',
    title: "Get a service's security posture",
    description:
      'Returns the security posture of a catalog entity: overall and per-domain scores and grades (A-F), how the score was computed, data freshness, and counts of failing checks by severity.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .describe(
              'Catalog entity reference, e.g. component:default/checkout',
            ),
        }),
      output: z =>
        z.object({
          entityRef: z.string(),
          score: z.number().nullable(),
          grade: z.string().nullable(),
          explanation: z.string(),
          domains: z.record(
            z.object({
              score: z.number().nullable(),
              grade: z.string().nullable(),
            }),
          ),
          failing: z
            .object({
              checks: z.number(),
              checkIds: z.array(z.string()),
              checksBySeverity: z.record(z.number()),
              results: z.number(),
              resultsBySeverity: z.record(z.number()),
            })
            .describe(
              'Failing checks (check ids with a failing result; by the most severe of their failing results) and failing results (one per resource and container), counted as every view of the portal counts them',
            ),
          evaluatedAt: z.string(),
          stale: z.boolean(),
        }),
    },
    action: async ({ input, credentials }) => {
      const p = await readablePosture(input.entityRef, credentials);
      const counts = failureCounts(p.results);
      return {
        output: {
          entityRef: p.entityRef,
          score: p.score.overall.score,
          grade: p.score.overall.grade,
          explanation: p.score.overall.explanation,
          domains: Object.fromEntries(
            Object.entries(p.score.domains).map(([d, b]) => [
              d,
              { score: b.score, grade: b.grade },
            ]),
          ),
          failing: { checks: counts.checkIds.length, ...counts },
          evaluatedAt: p.evaluatedAt,
          stale: p.stale,
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'list-failing-checks',
    title: "List a service's failing security checks",
    description:
      'Lists the checks failing for a catalog entity, most severe first, with the resource, container, field and observed value as evidence. Use get-remediation for how to fix one.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .describe(
              'Catalog entity reference, e.g. component:default/checkout',
            ),
          minSeverity: z
            .enum(SEVERITIES)
            .optional()
            .describe('Leave out failures below this severity'),
        }),
      output: z =>
        z.object({
          failing: z.array(
            z.object({
              checkId: z.string(),
              severity: z.string(),
              domain: z.string(),
              resource: z.string(),
              container: z.string().optional(),
              field: z.string().optional(),
              observed: z.string().optional(),
              message: z.string(),
              failingSince: z.string().optional(),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const p = await readablePosture(input.entityRef, credentials);
      const threshold = SEVERITIES.indexOf(input.minSeverity ?? 'low');
      const failing = p.results
        .filter(
          r =>
            r.status === 'fail' && SEVERITIES.indexOf(r.severity) <= threshold,
        )
        .sort(
          (a, b) =>
            SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity),
        )
        .map(r => ({
          checkId: r.checkId,
          severity: r.severity,
          domain: r.domain,
          resource: `${r.resource.cluster}/${r.resource.kind}/${
            r.resource.namespace ? `${r.resource.namespace}/` : ''
          }${r.resource.name}`,
          container: r.container,
          field: r.field,
          observed: r.observed,
          message: r.message,
          failingSince: r.failingSince,
        }));
      return { output: { failing } };
    },
  });

  actionsRegistry.register({
    name: 'get-service-campaigns',
    title: 'Get the campaigns that apply to a service',
    description:
      'Returns the active security campaigns whose scope covers a catalog entity: each with its deadline and days left, whether the service meets it, and what is still left (failing target checks, a grade below the target).',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .describe(
              'Catalog entity reference, e.g. component:default/checkout',
            ),
        }),
      output: z =>
        z.object({
          campaigns: z.array(
            z.object({
              name: z.string(),
              deadline: z.string(),
              daysLeft: z.number(),
              done: z.boolean(),
              failingChecks: z.array(z.string()),
              belowGrade: z.boolean(),
              minGrade: z.string().optional(),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      // The same visibility and permission as the posture it reads.
      const p = await readablePosture(input.entityRef, credentials);
      const { items } = await campaigns.forEntity(p.entityRef);
      return {
        output: {
          campaigns: items.map(i => ({
            name: i.campaign.name,
            deadline: i.campaign.deadline,
            daysLeft: i.daysLeft,
            done: i.status.done,
            failingChecks: i.status.failingChecks,
            belowGrade: i.status.belowGrade,
            ...(i.campaign.target.minGrade
              ? { minGrade: i.campaign.target.minGrade }
              : {}),
          })),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-remediation',
    title: 'Get the remediation for a security check',
    description:
      'Returns why a check matters and how to fix it, as markdown with a corrected YAML snippet. Check ids look like sc.privileged or net.policy-coverage.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          checkId: z.string().describe('The check id, e.g. sc.privileged'),
        }),
      output: z =>
        z.object({
          id: z.string(),
          title: z.string(),
          domain: z.string(),
          severity: z.string(),
          rationale: z.string(),
          remediation: z.string(),
        }),
    },
    action: async ({ input, credentials }) => {
      await requirePermission(
        permissions,
        credentials,
        guardrailsChecksReadPermission,
      );
      const check = queries.checks.find(c => c.meta.id === input.checkId);
      if (!check) throw new NotFoundError(`No check ${input.checkId}`);
      const { id, title, domain, severity, rationale, remediation } =
        check.meta;
      return {
        output: { id, title, domain, severity, rationale, remediation },
      };
    },
  });
}
