/*
 * The catalog entity's spec.lifecycle beside its posture, so the org view
 * and the services list can be filtered by lifecycle (production,
 * experimental...) as by owner and system. Filled in as postures are next
 * stored.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('guardrails_posture', table => {
    table
      .string('lifecycle', 255)
      .nullable()
      .comment('spec.lifecycle of the catalog entity');
    table.index(['lifecycle'], 'guardrails_posture_lifecycle_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('guardrails_posture', table => {
    table.dropIndex(['lifecycle'], 'guardrails_posture_lifecycle_idx');
    table.dropColumn('lifecycle');
  });
};
