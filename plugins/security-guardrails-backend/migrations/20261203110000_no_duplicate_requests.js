/*
 * No two identical access requests held at once: the same requester, entity,
 * role, cluster and namespaces, pending, approved or active. The key is a
 * hash of those (set by the store on new requests; older rows have none),
 * unique among holding requests by a partial index, which SQLite and
 * PostgreSQL both have, so concurrent identical requests cannot both pass.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('guardrails_access_requests', table => {
    table
      .string('holding_key', 64)
      .nullable()
      .comment('sha256 of requester, entity, role, cluster and namespaces');
  });
  await knex.raw(
    `CREATE UNIQUE INDEX guardrails_access_requests_holding_key_idx
     ON guardrails_access_requests (holding_key)
     WHERE kind = 'access' AND state IN ('pending', 'approved', 'active')`,
  );
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.raw(
    'DROP INDEX IF EXISTS guardrails_access_requests_holding_key_idx',
  );
  await knex.schema.alterTable('guardrails_access_requests', table => {
    table.dropColumn('holding_key');
  });
};
