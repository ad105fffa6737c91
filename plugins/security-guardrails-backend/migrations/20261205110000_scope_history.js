/*
 * What each service could be scoped by, over time: its owner, system,
 * lifecycle, tags, namespaces and clusters, a row when any of them changed
 * (and a row without them when the service left the catalog), so a
 * campaign's burn-down counts each day the services that were in its scope
 * that day. Services stored before have none: their current posture row
 * stands for their past.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('guardrails_scope_history', table => {
    table.comment(
      'Owner, system, lifecycle, tags, namespaces and clusters of each service over time',
    );
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('at', 32).notNullable();
    table
      .text('scope')
      .nullable()
      .comment('JSON: ScopeState; null when the service left the catalog');
    table.index(['entity_ref', 'id'], 'guardrails_scope_history_entity_idx');
    table.index(['at'], 'guardrails_scope_history_at_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('guardrails_scope_history');
};
