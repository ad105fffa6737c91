/*
 * An exemption request may name the campaign it concerns, so the campaign
 * shows the exemptions granted against it.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('guardrails_access_requests', table => {
    table
      .string('campaign_id', 36)
      .nullable()
      .comment('The campaign an exemption request concerns');
    table.index(['campaign_id'], 'guardrails_access_requests_campaign_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('guardrails_access_requests', table => {
    table.dropIndex(['campaign_id'], 'guardrails_access_requests_campaign_idx');
    table.dropColumn('campaign_id');
  });
};
