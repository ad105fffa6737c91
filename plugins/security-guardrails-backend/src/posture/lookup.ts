/*
 * "What is this entity's posture?" as the API and the actions answer it: the
 * stored posture; for an entity that should have one and has none yet, one
 * evaluated now; otherwise why there is none, true to the entity and the
 * state (no mapping, evaluating now, a cluster that cannot be read).
 */
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { EntityPosture } from '@internal/backstage-plugin-security-guardrails-common';
import { CatalogEntities, toEntityInfo } from '../catalog/CatalogEntities';
import { PostureQueries } from './PostureQueries';
import { PostureService } from './PostureService';

export type EntityPostureAnswer =
  | { posture: EntityPosture }
  | {
      /** What a person reads: why there is no posture. */
      missing: string;
      /** Set when the posture is on its way: when to ask again. */
      retryAfterSeconds?: number;
    };

export async function lookupPosture(
  deps: {
    catalog: Pick<CatalogEntities, 'whyNoPosture'>;
    posture: Pick<PostureService, 'postureFor'>;
    queries: Pick<PostureQueries, 'getPosture'>;
  },
  entity: Entity,
): Promise<EntityPostureAnswer> {
  const notEvaluable = deps.catalog.whyNoPosture(entity);
  if (notEvaluable) {
    const stored = await deps.queries.getPosture(stringifyEntityRef(entity));
    return stored ? { posture: stored } : { missing: notEvaluable };
  }
  const lookup = await deps.posture.postureFor(toEntityInfo(entity));
  if ('posture' in lookup) return lookup;
  return {
    missing: lookup.pending.message,
    retryAfterSeconds: lookup.pending.retryAfterSeconds,
  };
}
