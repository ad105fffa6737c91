/*
 * A test backend with the plugin, the demo catalog and cluster, a catalog
 * that hides entities from some callers, and a table-driven permission
 * policy, for HTTP tests through startTestBackend.
 */
import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import knexFactory from 'knex';
import { securityGuardrailsPlugin } from '../plugin';
import { DEMO_CLUSTER_DIR, loadDemoCatalog } from './demo';

/** Decides a permission for a principal; undefined means allow. */
export type PolicyFn = (
  permission: string,
  principal: string,
  resourceRef?: string,
) => boolean | undefined;

function principalOf(credentials: BackstageCredentials): string {
  const p = credentials.principal as any;
  if (p.type === 'user') return p.userEntityRef;
  if (p.type === 'service') return `service:${p.subject}`;
  return 'none';
}

export interface TestBackendOptions {
  /** Entity refs the catalog hides from a principal. */
  hidden?: Record<string, string[]>;
  policy?: PolicyFn;
  config?: JsonObject;
  extraEntities?: Entity[];
  features?: any[];
}

/**
 * Config over the demo cluster's manifests, writing RoleBindings to
 * `grantsDirectory`, with no refresh limit and no sweep during a test, and
 * room for many grants per person.
 */
export function demoClusterConfig(grantsDirectory: string): JsonObject {
  return {
    securityGuardrails: {
      clusters: [
        {
          name: 'demo',
          type: 'manifests',
          paths: [DEMO_CLUSTER_DIR],
          grantsDirectory,
        },
      ],
      posture: {
        schedule: { frequency: { hours: 24 }, timeout: { minutes: 2 } },
        refreshIntervalSeconds: 0,
      },
      access: {
        sweepFrequency: { hours: 1 },
        maxActiveGrantsPerUser: 1000,
      },
    },
  };
}

export async function startGuardrailsBackend(options: TestBackendOptions = {}) {
  const entities = [
    ...(loadDemoCatalog() as unknown as Entity[]),
    ...(options.extraEntities ?? []),
  ];
  const inner = catalogServiceMock({ entities });
  const hidden = (credentials: BackstageCredentials, ref: string) =>
    (options.hidden?.[principalOf(credentials)] ?? []).includes(ref);

  const catalog = createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () =>
      ({
        ...inner,
        getEntities: inner.getEntities.bind(inner),
        async getEntityByRef(
          ref: any,
          opts: { credentials: BackstageCredentials },
        ) {
          const entity = await inner.getEntityByRef(ref, opts);
          return entity && !hidden(opts.credentials, stringifyEntityRef(entity))
            ? entity
            : undefined;
        },
        async getEntitiesByRefs(
          req: any,
          opts: { credentials: BackstageCredentials },
        ) {
          const res = await inner.getEntitiesByRefs(req, opts);
          return {
            items: res.items.map(e =>
              e && !hidden(opts.credentials, stringifyEntityRef(e)) ? e : null,
            ),
          };
        },
      } as any),
  });

  const authorizeCalls: Array<{
    permission: string;
    principal: string;
    resourceRef?: string;
  }> = [];
  const permissions = createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: (): PermissionsService => ({
      async authorize(requests: any[], opts: any) {
        return requests.map(r => {
          const principal = principalOf(opts.credentials);
          authorizeCalls.push({
            permission: r.permission.name,
            principal,
            resourceRef: r.resourceRef,
          });
          const allowed =
            options.policy?.(r.permission.name, principal, r.resourceRef) ??
            true;
          return {
            result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
          };
        });
      },
      async authorizeConditional(requests: any[]) {
        return requests.map(() => ({ result: AuthorizeResult.ALLOW }));
      },
    }),
  });

  // Group membership from the demo org (memberOf), as the catalog would resolve it.
  const userInfo = createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials: BackstageCredentials) {
        const userRef = (credentials.principal as any).userEntityRef as string;
        const name = userRef.split('/').pop();
        const user = entities.find(
          e => e.kind === 'User' && e.metadata.name === name,
        );
        const groups = ((user?.spec as any)?.memberOf ?? []).map(
          (g: string) => `group:default/${g}`,
        );
        return {
          userEntityRef: userRef,
          ownershipEntityRefs: [userRef, ...groups],
        };
      },
    }),
  });

  // The plugin's own in-memory SQLite database, destroyed on stop: Backstage's
  // database manager leaves SQLite pools open at shutdown, and their reaping
  // timer kept Jest workers from exiting.
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });

  const backend = await startTestBackend({
    features: [
      securityGuardrailsPlugin,
      mockServices.database.factory({ knex }),
      catalog,
      permissions,
      userInfo,
      mockServices.rootConfig.factory({
        data: {
          securityGuardrails: {
            clusters: [
              { name: 'demo', type: 'manifests', paths: [DEMO_CLUSTER_DIR] },
            ],
            posture: {
              schedule: { frequency: { hours: 24 }, timeout: { minutes: 2 } },
              refreshIntervalSeconds: 30,
            },
          },
          ...options.config,
        },
      }),
      ...(options.features ?? []),
    ],
  });
  const stopBackend = backend.stop.bind(backend);
  return Object.assign(backend, {
    authorizeCalls,
    async stop() {
      try {
        await stopBackend();
      } finally {
        await knex.destroy();
      }
    },
  });
}

/** Waits for the scheduled refresh that runs at startup to have stored postures. */
export async function waitForPostures(
  request: () => Promise<{ status: number }>,
  timeoutMs = 20_000,
) {
  const start = Date.now();
  for (;;) {
    const res = await request();
    if (res.status === 200) return;
    if (Date.now() - start > timeoutMs)
      throw new Error(
        `no posture after ${timeoutMs} ms (status ${res.status})`,
      );
    await new Promise(r => setTimeout(r, 100));
  }
}
