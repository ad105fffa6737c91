import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-security-guardrails-backend',
  'migrations',
);
const tableName = 'guardrails_knex_migrations';

/** Runs the plugin's migrations (posture and access) up to the latest. */
export async function migrateUp(client: Knex): Promise<void> {
  await client.migrate.latest({ directory: migrationsDir, tableName });
}

/** Rolls migrations back, latest first, through the one named (tests of a migration's backfill). */
export async function migrateDownThrough(
  client: Knex,
  name: string,
): Promise<void> {
  const config = { directory: migrationsDir, tableName };
  for (;;) {
    const [done] = await client.migrate.list(config);
    if (!done.some((m: { name: string }) => m.name === name)) return;
    await client.migrate.down(config);
  }
}

/** Rolls every migration back (tests of `down`). */
export async function migrateDownAll(client: Knex): Promise<void> {
  await client.migrate.rollback({ directory: migrationsDir, tableName }, true);
}

const connected = new WeakMap<DatabaseService, Promise<Knex>>();

/**
 * The plugin's database client, migrated unless the deployment manages
 * migrations (`backend.database.plugin.security-guardrails.skipMigrations`,
 * which the database service reports as `migrations.skip`). Every store of
 * one database service shares one client and one migration run.
 */
export function connect(database: DatabaseService): Promise<Knex> {
  let client = connected.get(database);
  if (!client) {
    client = (async () => {
      const knex = await database.getClient();
      if (!database.migrations?.skip) await migrateUp(knex);
      return knex;
    })();
    connected.set(database, client);
    // A failed start may be retried with the same service.
    client.catch(() => connected.delete(database));
  }
  return client;
}
