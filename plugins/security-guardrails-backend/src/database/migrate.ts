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

/** Rolls every migration back (tests of `down`). */
export async function migrateDownAll(client: Knex): Promise<void> {
  await client.migrate.rollback({ directory: migrationsDir, tableName }, true);
}

/** The plugin's database client, migrated unless the deployment manages migrations. */
export async function connect(database: DatabaseService): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    await migrateUp(client);
  }
  return client;
}
