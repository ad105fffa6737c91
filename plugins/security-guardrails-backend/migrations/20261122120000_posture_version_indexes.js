/*
 * Indexes for the posture store's version probe (max(evaluated_at) and the
 * count of stale rows), which every org summary request runs to decide
 * whether its cached rollup is still current. Without them SQLite walks the
 * large JSON columns of every row to reach evaluated_at.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('guardrails_posture', table => {
    table.index(['evaluated_at'], 'guardrails_posture_evaluated_at_idx');
    table.index(['stale'], 'guardrails_posture_stale_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('guardrails_posture', table => {
    table.dropIndex(['evaluated_at'], 'guardrails_posture_evaluated_at_idx');
    table.dropIndex(['stale'], 'guardrails_posture_stale_idx');
  });
};
