/*
 * At most one pending extension per grant, held by the database so that
 * concurrent requests cannot each pass a check and all be approved.
 * A partial unique index: SQLite and PostgreSQL both have them.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.raw(
    `CREATE UNIQUE INDEX guardrails_access_requests_one_pending_extension_idx
     ON guardrails_access_requests (parent_id)
     WHERE kind = 'extension' AND state = 'pending'`,
  );
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.raw(
    'DROP INDEX IF EXISTS guardrails_access_requests_one_pending_extension_idx',
  );
};
