/*
 * Whether a posture row's results already carry each failing result's
 * `failingSince`, so the API can answer with the stored JSON as it is
 * instead of parsing and re-serialising it. Rows written before are
 * answered the old way until their next evaluation rewrites them.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('guardrails_posture', table => {
    table
      .integer('answer_format')
      .nullable()
      .comment(
        '1 when results hold failingSince and the row is served as stored; null for older rows',
      );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('guardrails_posture', table => {
    table.dropColumn('answer_format');
  });
};
