/*
 * A test backend with the plugin, the demo catalog and cluster, a catalog
 * that hides entities from some callers, and a table-driven permission
 * policy, for HTTP tests through startTestBackend.
 */
import {
  BackstageCredentials,
  coreServices,
  createBackendModule,
  createServiceFactory,
  PermissionsService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
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
  // Read afresh on every call, so a test can register entities while the backend runs.
  const inner = new Proxy({} as ReturnType<typeof catalogServiceMock>, {
    get: (_, key) => {
      const client = catalogServiceMock({ entities }) as any;
      const value = client[key];
      return typeof value === 'function' ? value.bind(client) : value;
    },
  });
  const hidden = (credentials: BackstageCredentials, ref: string) =>
    (options.hidden?.[principalOf(credentials)] ?? []).includes(ref);

  const catalog = createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () =>
      ({
        ...inner,
        getEntities: (...args: any[]) => (inner.getEntities as any)(...args),
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

  // The test backend's scheduler runs each task once at start (awaited), then
  // only when a test triggers it: this module hands the plugin's scheduler out.
  let scheduler: SchedulerService | undefined;
  const schedulerHandle = createBackendModule({
    pluginId: 'security-guardrails',
    moduleId: 'test-scheduler-handle',
    register(env) {
      env.registerInit({
        deps: { s: coreServices.scheduler },
        async init({ s }) {
          scheduler = s;
        },
      });
    },
  });
  const backend = await startTestBackend({
    features: [
      securityGuardrailsPlugin,
      schedulerHandle,
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
    /** Runs a scheduled task of the plugin now, as its schedule would. */
    triggerTask: (id: string) => scheduler!.triggerTask(id),
    /** Registers an entity in the catalog, as a new location would. */
    addEntity(entity: Entity) {
      entities.push(entity);
    },
    async stop() {
      try {
        await stopBackend();
      } finally {
        await knex.destroy();
      }
    },
  });
}

/**
 * Waits until every mapped entity has a posture, as `GET /status` reports it
 * (the catalog sync and the first refresh run at start), so a test starts
 * from a known state. Fails at once, with the backend's reason, when an
 * entity waits for something that will not come (a cluster never read).
 */
export async function waitForPostures(
  server: Parameters<typeof request>[0],
  timeoutMs = 20_000,
) {
  const start = Date.now();
  let last = '';
  for (;;) {
    const res = await request(server)
      .get('/api/security-guardrails/status')
      .set('Authorization', mockCredentials.user.header('user:default/sam'));
    if (res.status === 200) {
      const { entities, waiting } = res.body;
      if (entities.mapped > 0 && entities.evaluated === entities.mapped) return;
      const stuck = waiting.find((w: { reason: string }) =>
        w.reason.startsWith('Waiting for cluster state'),
      );
      if (stuck)
        throw new Error(
          `${stuck.entityRef} will not be graded: ${stuck.reason}`,
        );
      last = JSON.stringify(res.body);
    } else {
      last = `${res.status} ${JSON.stringify(res.body)}`;
    }
    if (Date.now() - start > timeoutMs)
      throw new Error(`not every posture after ${timeoutMs} ms: ${last}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

/**
 * Ends what a user holds or awaits (cancels pending requests, revokes
 * grants), so the same access can be asked again: an identical request is
 * refused while the first is pending or held.
 */
export async function endHeldRequests(
  server: Parameters<typeof request>[0],
  user: string,
) {
  const auth = mockCredentials.user.header(`user:default/${user}`);
  const res = await request(server)
    .get(
      '/api/security-guardrails/access-requests?view=mine&state=pending,approved,active&limit=200',
    )
    .set('Authorization', auth);
  for (const r of res.body.items ?? []) {
    const action = r.state === 'pending' ? 'cancel' : 'revoke';
    await request(server)
      .post(`/api/security-guardrails/access-requests/${r.id}/${action}`)
      .set('Authorization', auth)
      .send({});
  }
}
