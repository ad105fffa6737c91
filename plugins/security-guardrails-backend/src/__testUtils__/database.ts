/*
 * The database service for one knex client, as the backend hands it to the
 * plugin: for tests and the benchmark, which make their own databases.
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

export function databaseServiceFor(
  knex: Knex,
  options: { skipMigrations?: boolean } = {},
): DatabaseService {
  return {
    getClient: async () => knex,
    migrations: { skip: options.skipMigrations ?? false },
  };
}
