/*
 * The posture as the API sends it, gzip-compressed once when it is stored,
 * with a weak ETag of it. Browsers accept gzip, so the entity page is
 * answered with these bytes as they are: about 3 KB instead of the 37 KB of
 * JSON put together from the row and compressed again (Backstage's root
 * router compresses every answer) on each request. Null for rows stored
 * before, and for a row whose parts changed without a new answer (a posture
 * marked stale): those are put together from the row's columns as before.
 *
 * And the row's failing check ids, which the filtered list showed from a
 * subquery per item on the failing-check index (about 0.5 ms of the
 * database's time a page of 50).
 *
 * Both are read only from rows of answer_format 2 or later: a replica of an
 * older version saving meanwhile writes format 1 and leaves these columns
 * as they were, so they are not trusted on its rows.
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
    table
      .text('failing_checks')
      .nullable()
      .comment('JSON: the ids of the failing checks, sorted');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('guardrails_posture', table => {
    table.dropColumn('answer_gzip');
    table.dropColumn('answer_etag');
    table.dropColumn('failing_checks');
  });
};
