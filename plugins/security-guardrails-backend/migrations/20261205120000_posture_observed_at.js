/*
 * When the cluster state a posture was evaluated from was observed. A full
 * refresh reads every cluster and takes a while; a watched cluster's change
 * is evaluated within seconds. The refresh does not overwrite a posture
 * observed after its own read began (see savePostures). Null for rows stored
 * before: any evaluation may replace them.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('guardrails_posture', table => {
    table
      .string('observed_at', 64)
      .nullable()
      .comment(
        'When the cluster state this posture was evaluated from was read (ISO)',
      );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('guardrails_posture', table => {
    table.dropColumn('observed_at');
  });
};
