/*
 * Entity <-> workload mapping starts here: which catalog entities declare
 * Kubernetes objects, who owns them, which groups exist; and what a caller is
 * allowed to see (reads with the caller's credentials).
 */
import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  CATALOG_FILTER_EXISTS,
  EntityFilterQuery,
} from '@backstage/catalog-client';
import {
  Entity,
  RELATION_MEMBER_OF,
  RELATION_OWNED_BY,
  RELATION_PART_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  compareStrings,
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
} from '@internal/backstage-plugin-security-guardrails-common';
import { EntityInfo, hasKubernetesMapping } from '../engine';

/** Kinds whose entities get a posture. */
export const DEFAULT_ENTITY_KINDS = ['Component', 'Resource'];

const FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.etag',
  'metadata.tags',
  'metadata.annotations',
  'metadata.links',
  'spec.owner',
  'spec.system',
  'spec.lifecycle',
  'relations',
];

/** What the engine needs of an entity, and the catalog's etag of the entity it came from. */
export type CatalogEntityInfo = EntityInfo & { etag?: string };

/** The most entity refs asked of the catalog in one request. */
const REFS_PER_REQUEST = 500;

/** The entity's owner ref: its ownedBy relation, or spec.owner as the catalog resolves it. */
export function ownerOf(entity: Entity): string | undefined {
  return (
    entity.relations?.find(r => r.type === RELATION_OWNED_BY)?.targetRef ??
    (typeof entity.spec?.owner === 'string'
      ? normalizeRef(entity.spec.owner, 'group', entity.metadata.namespace)
      : undefined)
  );
}

/** The groups a User belongs to: its memberOf relations, or spec.memberOf. */
export function groupsOf(user: Entity): string[] {
  if (user.relations?.length) {
    return user.relations
      .filter(r => r.type === RELATION_MEMBER_OF)
      .map(r => r.targetRef);
  }
  const memberOf = user.spec?.memberOf;
  return Array.isArray(memberOf)
    ? memberOf
        .filter((g): g is string => typeof g === 'string')
        .map(g => normalizeRef(g, 'group', user.metadata.namespace))
    : [];
}

export function toEntityInfo(entity: Entity): CatalogEntityInfo {
  const relations = entity.relations ?? [];
  const owner = ownerOf(entity);
  const system =
    relations.find(
      r => r.type === RELATION_PART_OF && r.targetRef.startsWith('system:'),
    )?.targetRef ??
    (typeof entity.spec?.system === 'string'
      ? normalizeRef(entity.spec.system, 'system', entity.metadata.namespace)
      : undefined);
  const links = Array.isArray(entity.metadata.links)
    ? entity.metadata.links
    : [];
  return {
    ref: stringifyEntityRef(entity),
    kind: entity.kind,
    namespace: entity.metadata.namespace ?? 'default',
    name: entity.metadata.name,
    owner,
    system,
    ...(typeof entity.spec?.lifecycle === 'string' && entity.spec.lifecycle
      ? { lifecycle: entity.spec.lifecycle }
      : {}),
    ...(Array.isArray(entity.metadata.tags) && entity.metadata.tags.length
      ? {
          tags: entity.metadata.tags.filter(
            (t): t is string => typeof t === 'string',
          ),
        }
      : {}),
    annotations: entity.metadata.annotations ?? {},
    links: links.map(l => ({ url: l.url, title: l.title, type: l.type })),
    ...(entity.metadata.etag ? { etag: entity.metadata.etag } : {}),
  };
}

/** `payments-team` -> `group:default/payments-team`, as the catalog resolves spec.owner. */
export function normalizeRef(
  ref: string,
  defaultKind: string,
  defaultNamespace = 'default',
): string {
  const m = /^(?:([^:/]+):)?(?:([^/]+)\/)?(.+)$/.exec(ref.trim());
  if (!m) return ref;
  return `${(m[1] ?? defaultKind).toLocaleLowerCase('en-US')}:${(
    m[2] ?? defaultNamespace
  ).toLocaleLowerCase('en-US')}/${m[3].toLocaleLowerCase('en-US')}`;
}

export class CatalogEntities {
  readonly #catalog: CatalogService;
  readonly #auth: AuthService;
  readonly #kinds: string[];

  static create(options: {
    catalog: CatalogService;
    auth: AuthService;
    kinds?: string[];
  }) {
    return new CatalogEntities(
      options.catalog,
      options.auth,
      options.kinds ?? DEFAULT_ENTITY_KINDS,
    );
  }

  private constructor(
    catalog: CatalogService,
    auth: AuthService,
    kinds: string[],
  ) {
    this.#catalog = catalog;
    this.#auth = auth;
    this.#kinds = kinds;
  }

  /** The catalog filter for entities of the posture kinds that declare Kubernetes objects. */
  #mappedFilter(): EntityFilterQuery {
    // `kind` last: the catalog's in-memory test client stops at the first
    // key with an array of values, and would skip the annotation.
    return [
      {
        [`metadata.annotations.${KUBERNETES_ID_ANNOTATION}`]:
          CATALOG_FILTER_EXISTS,
        kind: this.#kinds,
      },
      {
        [`metadata.annotations.${KUBERNETES_LABEL_SELECTOR_ANNOTATION}`]:
          CATALOG_FILTER_EXISTS,
        kind: this.#kinds,
      },
    ];
  }

  /** Every entity of the posture kinds that declares Kubernetes objects (read as this plugin). */
  async listMapped(): Promise<CatalogEntityInfo[]> {
    const credentials = await this.#auth.getOwnServiceCredentials();
    const response = await this.#catalog.getEntities(
      { filter: this.#mappedFilter(), fields: FIELDS },
      { credentials },
    );
    const out = new Map<string, CatalogEntityInfo>();
    for (const entity of response.items) {
      const info = toEntityInfo(entity);
      out.set(info.ref, info);
    }
    return [...out.values()].sort((a, b) => compareStrings(a.ref, b.ref));
  }

  /**
   * The refs of the entities {@link CatalogEntities.listMapped} returns, each
   * with its `metadata.etag` (undefined when the catalog sets none): the cheap
   * listing the catalog sync compares against what was evaluated.
   */
  async mappedVersions(): Promise<Map<string, string | undefined>> {
    const credentials = await this.#auth.getOwnServiceCredentials();
    const response = await this.#catalog.getEntities(
      {
        filter: this.#mappedFilter(),
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.etag',
        ],
      },
      { credentials },
    );
    return new Map(
      response.items.map(e => [stringifyEntityRef(e), e.metadata.etag]),
    );
  }

  /** These entities as {@link CatalogEntities.listMapped} gives them; refs gone from the catalog or no longer mapped are left out. */
  async getMapped(entityRefs: string[]): Promise<CatalogEntityInfo[]> {
    const credentials = await this.#auth.getOwnServiceCredentials();
    const out: CatalogEntityInfo[] = [];
    for (let i = 0; i < entityRefs.length; i += REFS_PER_REQUEST) {
      const response = await this.#catalog.getEntitiesByRefs(
        {
          entityRefs: entityRefs.slice(i, i + REFS_PER_REQUEST),
          fields: FIELDS,
        },
        { credentials },
      );
      for (const entity of response.items) {
        if (entity && this.whyNoPosture(entity) === undefined)
          out.push(toEntityInfo(entity));
      }
    }
    return out.sort((a, b) => compareStrings(a.ref, b.ref));
  }

  /** Why this entity gets no posture at all (its kind, or no Kubernetes mapping); undefined when it gets one. */
  whyNoPosture(entity: Entity): string | undefined {
    const ref = stringifyEntityRef(entity);
    if (!this.#kinds.includes(entity.kind)) {
      return `${ref} gets no posture: postures are computed for ${this.#kinds.join(
        ', ',
      )} entities (securityGuardrails.posture.entityKinds)`;
    }
    if (!hasKubernetesMapping(entity.metadata.annotations ?? {})) {
      return `${ref} has no ${KUBERNETES_ID_ANNOTATION} or ${KUBERNETES_LABEL_SELECTOR_ANNOTATION} annotation, so it has no Kubernetes objects to evaluate`;
    }
    return undefined;
  }

  /** Refs of the Groups that exist, for `own.owner`. */
  async groups(): Promise<Set<string>> {
    const credentials = await this.#auth.getOwnServiceCredentials();
    const response = await this.#catalog.getEntities(
      {
        filter: { kind: 'Group' },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials },
    );
    return new Set(response.items.map(e => stringifyEntityRef(e)));
  }

  /** The entity as the caller sees it; undefined when it does not exist or is hidden from them. */
  async get(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<Entity | undefined> {
    return this.#catalog.getEntityByRef(entityRef, { credentials });
  }

  /** As {@link CatalogEntities.get}, read as this plugin (for background work). */
  async getAsService(entityRef: string): Promise<Entity | undefined> {
    return this.#catalog.getEntityByRef(entityRef, {
      credentials: await this.#auth.getOwnServiceCredentials(),
    });
  }

  /** Which of these refs the caller may see. */
  async visible(
    entityRefs: string[],
    credentials: BackstageCredentials,
  ): Promise<Set<string>> {
    if (entityRefs.length === 0) return new Set();
    const response = await this.#catalog.getEntitiesByRefs(
      { entityRefs, fields: ['kind', 'metadata.name', 'metadata.namespace'] },
      { credentials },
    );
    const out = new Set<string>();
    response.items.forEach((entity, i) => {
      if (entity) out.add(entityRefs[i]);
    });
    return out;
  }
}
