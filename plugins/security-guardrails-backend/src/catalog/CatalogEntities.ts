/*
 * Entity <-> workload mapping starts here: which catalog entities declare
 * Kubernetes objects, who owns them, which groups exist; and what a caller is
 * allowed to see (reads with the caller's credentials).
 */
import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  Entity,
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
import { EntityInfo } from '../engine';

/** Kinds whose entities get a posture. */
export const DEFAULT_ENTITY_KINDS = ['Component', 'Resource'];

const FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.annotations',
  'metadata.links',
  'spec.owner',
  'spec.system',
  'relations',
];

export function toEntityInfo(entity: Entity): EntityInfo {
  const relations = entity.relations ?? [];
  const owner =
    relations.find(r => r.type === RELATION_OWNED_BY)?.targetRef ??
    (typeof entity.spec?.owner === 'string'
      ? normalizeRef(entity.spec.owner, 'group', entity.metadata.namespace)
      : undefined);
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
    annotations: entity.metadata.annotations ?? {},
    links: links.map(l => ({ url: l.url, title: l.title, type: l.type })),
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

  /** Every entity of the posture kinds that declares Kubernetes objects (read as this plugin). */
  async listMapped(): Promise<EntityInfo[]> {
    const credentials = await this.#auth.getOwnServiceCredentials();
    const out: EntityInfo[] = [];
    const seen = new Set<string>();
    const response = await this.#catalog.getEntities(
      {
        filter: [
          {
            kind: this.#kinds,
            [`metadata.annotations.${KUBERNETES_ID_ANNOTATION}`]:
              CATALOG_FILTER_EXISTS,
          },
          {
            kind: this.#kinds,
            [`metadata.annotations.${KUBERNETES_LABEL_SELECTOR_ANNOTATION}`]:
              CATALOG_FILTER_EXISTS,
          },
        ],
        fields: FIELDS,
      },
      { credentials },
    );
    for (const entity of response.items) {
      const info = toEntityInfo(entity);
      if (!seen.has(info.ref)) {
        seen.add(info.ref);
        out.push(info);
      }
    }
    return out.sort((a, b) => compareStrings(a.ref, b.ref));
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
