/*
 * The catalog's etag of each entity as it was when its posture was computed,
 * so the catalog sync can tell which entities are new or changed since
 * without reading every entity in full.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('guardrails_posture', table => {
    table
      .string('catalog_etag', 255)
      .nullable()
      .comment(
        'metadata.etag of the catalog entity this posture was computed from',
      );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('guardrails_posture', table => {
    table.dropColumn('catalog_etag');
  });
};
