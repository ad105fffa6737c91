/*
 * What a campaign asks of which services: the scope rule (in memory for a
 * scope state, in SQL over the posture rows and the facet index) and the
 * grade rule of its target.
 */
import {
  Campaign,
  CampaignScope,
  Grade,
} from '@internal/backstage-plugin-security-guardrails-common';
import { Knex } from 'knex';
import { PostureFacet, ScopeState, TABLES } from '../database/tables';
import { inScope } from '../posture/PostureQueries';

/**
 * Whether a campaign's scope covers a service in a scope state: every list
 * that is not empty has the service's value, or one of its values. The rule
 * inScopeQuery puts in SQL.
 */
export function scopeCovers(scope: CampaignScope, s: ScopeState): boolean {
  const any = (list: string[], values: string[]) =>
    !list.length || values.some(v => list.includes(v));
  return (
    // Owner, system and lifecycle: the org view's own filter rule.
    inScope(
      [
        {
          owner: s.owner ?? undefined,
          system: s.system ?? undefined,
          lifecycle: s.lifecycle ?? undefined,
        },
      ],
      {
        owner: scope.owners,
        system: scope.systems,
        lifecycle: scope.lifecycles,
      },
    ).length === 1 &&
    any(scope.tags, s.tags) &&
    any(scope.namespaces, s.namespaces) &&
    any(scope.clusters, s.clusters)
  );
}

/** The scope lists kept in the facet index, by facet. */
export const FACETS: Array<[keyof CampaignScope, PostureFacet]> = [
  ['tags', 'tag'],
  ['namespaces', 'namespace'],
  ['clusters', 'cluster'],
];

/**
 * The posture rows (as `p`) a campaign's scope covers, as a query to
 * narrow: every list that is not empty must match, and a list matches any
 * of its values (tags, namespaces and clusters through the facet index).
 */
export function inScopeQuery(
  db: Knex,
  c: Campaign,
  q: Knex.QueryBuilder,
): Knex.QueryBuilder {
  if (c.scope.owners.length) q.whereIn('p.owner', c.scope.owners);
  if (c.scope.systems.length) q.whereIn('p.system', c.scope.systems);
  if (c.scope.lifecycles.length) q.whereIn('p.lifecycle', c.scope.lifecycles);
  for (const [key, facet] of FACETS) {
    const values = c.scope[key];
    if (!values.length) continue;
    q.whereIn(
      'p.entity_ref',
      db(TABLES.postureFacets)
        .where('facet', facet)
        .whereIn('value', values)
        .select('entity_ref'),
    );
  }
  return q;
}

const GRADES: Grade[] = ['A', 'B', 'C', 'D', 'F'];

/** The grades at or above `min`, best first. */
function gradesAtLeast(min: Grade): Grade[] {
  return GRADES.slice(0, GRADES.indexOf(min) + 1);
}

/** Grade column (of `p`) and acceptable grades of the target, if it has a grade. */
export function gradeRule(
  c: Campaign,
): { column: string; grades: Grade[] } | undefined {
  if (!c.target.minGrade) return undefined;
  // The domain was validated against DOMAINS, so the column name is safe.
  const column = c.target.domain ? `p.grade_${c.target.domain}` : 'p.grade';
  return { column, grades: gradesAtLeast(c.target.minGrade) };
}
