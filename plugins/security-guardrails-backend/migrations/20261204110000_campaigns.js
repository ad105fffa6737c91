/*
 * Campaigns: a target with a deadline over a scope of services. The target
 * and scope are small JSON documents; progress is read from the posture
 * tables, never stored here.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('guardrails_campaigns', table => {
    table.comment('Campaigns: targets with deadlines over scopes of services');
    table.string('id', 36).primary();
    table.string('name', 255).notNullable();
    table.text('description').notNullable();
    table.string('owner', 255).notNullable();
    table.string('state', 16).notNullable();
    table.string('starts_at', 32).notNullable();
    table.string('deadline', 32).notNullable();
    table.text('target').notNullable().comment('JSON: CampaignTarget');
    table.text('scope').notNullable().comment('JSON: CampaignScope');
    table.string('created_by', 255).notNullable();
    table.string('created_at', 32).notNullable();
    table.string('updated_by', 255).notNullable();
    table.string('updated_at', 32).notNullable();
    table.string('ended_at', 32).nullable();
    table.string('outcome', 16).nullable();
    table.index(['state'], 'guardrails_campaigns_state_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('guardrails_campaigns');
};
