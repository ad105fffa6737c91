/*
 * The posture as the API sends it, gzip-compressed once when it is stored,
 * with a weak ETag of it. Browsers accept gzip, so the entity page is
 * answered with these bytes as they are: about 3 KB instead of the 37 KB of
 * JSON put together from the row and compressed again (Backstage's root
 * router compresses every answer) on each request. Null for rows stored
 * before, and for a row whose parts changed without a new answer (a posture
 * marked stale): those are put together from the row's columns as before.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('guardrails_posture', table => {
    table
      .binary('answer_gzip')
      .nullable()
      .comment('The posture answer, UTF-8 JSON, gzip-compressed');
    table
      .string('answer_etag', 64)
      .nullable()
      .comment('Weak ETag of the posture answer');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('guardrails_posture', table => {
    table.dropColumn('answer_gzip');
    table.dropColumn('answer_etag');
  });
};
