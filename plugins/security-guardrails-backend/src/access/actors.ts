/*
 * Who takes part in a request: the system and policy actors named in the
 * audit, the entity a request is about (its owner and where its objects
 * are) and the Kubernetes user a Backstage user becomes.
 */
import { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import {
  AccessRequest,
  AccessTargets,
  KUBERNETES_ID_ANNOTATION,
} from '@internal/backstage-plugin-security-guardrails-common';
import { ownerOf } from '../catalog/CatalogEntities';
import { AccessConfig } from '../config';
import { EntityContext, refuse } from './AccessPolicy';
import { AccessStore } from './AccessStore';

export const SYSTEM_ACTOR = 'system:security-guardrails';
export const AUTO_APPROVER = 'policy:auto-approve';

/**
 * The actor an audit filter means: a full ref as written (`user:default/sam`,
 * `system:security-guardrails`), and a user's short name or
 * `namespace/name` as the user it names (`sam` → `user:default/sam`), as
 * Backstage reads a ref with a default kind and namespace. Refs compare
 * without case, as the catalog does.
 */
export function actorFilter(text: string): string {
  const t = text.trim().toLowerCase();
  if (t.includes(':')) return t;
  const slash = t.indexOf('/');
  return slash < 0 ? `user:default/${t}` : `user:${t}`;
}

/**
 * Cancels a pending request in the system's name, saying why (an extension
 * whose grant ended, a request the cap no longer lets in). False when it had
 * already moved.
 */
export function cancelBySystem(
  store: AccessStore,
  request: Pick<AccessRequest, 'id' | 'kind' | 'entityRef'>,
  why: string,
  now: Date,
): Promise<boolean> {
  return store.transition(
    request,
    'pending',
    'cancelled',
    now,
    { actor: SYSTEM_ACTOR, reason: why },
    { endedAt: now.toISOString(), endedBy: SYSTEM_ACTOR, endReason: why },
  );
}

/** Reads what the access services need from the catalog and the stored postures. */
export interface AccessContextReader {
  entity(entityRef: string): Promise<Entity | undefined>;
  user(userRef: string): Promise<Entity | undefined>;
  /**
   * Where access to the entity may land (its objects' namespaces that the
   * platform gives to its owner; see targets.ts), and where not, and why.
   */
  targets(entityRef: string): Promise<Omit<AccessTargets, 'entityRef'>>;
}

/** The entity a request is about, as the policy judges it; 404 when the catalog has none. */
export async function entityContext(
  context: AccessContextReader,
  entityRef: string,
): Promise<EntityContext> {
  const entity = await context.entity(entityRef);
  if (!entity) throw new NotFoundError(`No entity ${entityRef} in the catalog`);
  return {
    ref: entityRef,
    owner: ownerOf(entity),
    kubernetesId: entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION],
    targets: (await context.targets(entityRef)).targets,
  };
}

/** The entity's `backstage.io/kubernetes-id`, labelled on its RoleBindings; none when it cannot be read. */
export async function kubernetesIdOf(
  context: Pick<AccessContextReader, 'entity'>,
  entityRef: string,
): Promise<string | undefined> {
  const entity = await context.entity(entityRef).catch(() => undefined);
  return entity?.metadata.annotations?.[KUBERNETES_ID_ANNOTATION];
}

/** The Kubernetes user a Backstage user becomes, per `access.subject`. */
export async function subjectOf(
  subjectConfig: AccessConfig['subject'],
  context: AccessContextReader,
  userRef: string,
): Promise<string> {
  const { from, annotation } = subjectConfig;
  const user = await context.user(userRef);
  let subject: string | undefined;
  if (from === 'name')
    subject = user?.metadata.name ?? userRef.split('/').pop();
  else if (from === 'email') subject = (user?.spec as any)?.profile?.email;
  else subject = user?.metadata.annotations?.[annotation!];
  if (!subject) {
    const field = {
      annotation: `annotation ${annotation}`,
      email: 'spec.profile.email',
      name: 'name',
    }[from];
    throw refuse(
      'subject-unknown',
      `your catalog User has no ${field}, which becomes the Kubernetes user of the grant`,
      400,
    );
  }
  return subject;
}
