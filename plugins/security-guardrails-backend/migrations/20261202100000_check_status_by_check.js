/*
 * Finds the entities where a check fails or warns without reading every
 * entity's results: the org view's standing privileges and expired bindings.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('guardrails_check_status', table => {
    table.index(['check_id', 'status'], 'guardrails_check_status_check_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('guardrails_check_status', table => {
    table.dropIndex(
      ['check_id', 'status'],
      'guardrails_check_status_check_idx',
    );
  });
};
