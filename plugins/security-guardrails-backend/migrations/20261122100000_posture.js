/*
 * Posture: the latest evaluation per entity, a time series of scores, and
 * per-check status with its changes. Times are stored as RFC 3339 UTC
 * strings of fixed width (toISOString), which sort and compare correctly on
 * every supported database.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('guardrails_posture', table => {
    table.comment('The latest posture of each catalog entity');
    table.string('entity_ref', 255).primary();
    table.string('owner', 255).nullable();
    table.string('system', 255).nullable();
    table.integer('score').nullable();
    table.string('grade', 2).nullable();
    table
      .text('domain_grades')
      .notNullable()
      .comment('JSON: domain -> { score, grade }');
    for (const domain of [
      'architecture',
      'implementation',
      'observability',
      'response',
      'maintenance',
    ]) {
      table
        .string(`grade_${domain}`, 2)
        .nullable()
        .comment(`Grade of the ${domain} domain, for filters`);
    }
    table.integer('critical_failures').notNullable().defaultTo(0);
    table.boolean('stale').notNullable().defaultTo(false);
    table.boolean('mapped').notNullable().defaultTo(false);
    table
      .text('namespaces')
      .notNullable()
      .comment('JSON: Kubernetes namespaces of its objects');
    table.text('clusters').notNullable().comment('JSON: ClusterDataStatus[]');
    table.text('score_detail').notNullable().comment('JSON: PostureScore');
    table.text('results').notNullable().comment('JSON: CheckResult[]');
    table
      .text('check_counts')
      .notNullable()
      .comment('JSON: checkId -> [pass, fail, warn]');
    table.string('evaluated_at', 32).notNullable();
    table.index(['owner'], 'guardrails_posture_owner_idx');
    table.index(['system'], 'guardrails_posture_system_idx');
    table.index(['grade'], 'guardrails_posture_grade_idx');
  });

  await knex.schema.createTable('guardrails_posture_failing', table => {
    table.comment('Failing check ids per entity, for list filters');
    table.string('entity_ref', 255).notNullable();
    table.string('check_id', 128).notNullable();
    table.string('domain', 32).notNullable();
    table.primary(['entity_ref', 'check_id']);
    table.index(['check_id'], 'guardrails_posture_failing_check_idx');
  });

  await knex.schema.createTable('guardrails_posture_history', table => {
    table.comment(
      'Score time series: a row only when a score or grade changes',
    );
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('at', 32).notNullable();
    table.integer('score').nullable();
    table.string('grade', 2).nullable();
    table.text('domain_grades').notNullable();
    table.index(
      ['entity_ref', 'at'],
      'guardrails_posture_history_entity_at_idx',
    );
    table.index(['at'], 'guardrails_posture_history_at_idx');
  });

  await knex.schema.createTable('guardrails_check_status', table => {
    table.comment(
      'Current status of each (check, resource, container) of an entity',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('result_key', 700).notNullable();
    table.string('check_id', 128).notNullable();
    table.string('status', 16).notNullable();
    table.string('severity', 16).notNullable();
    table.string('since', 32).notNullable();
    table.primary(['entity_ref', 'result_key']);
  });

  await knex.schema.createTable('guardrails_check_history', table => {
    table.comment(
      'Changes of check status: what started or stopped failing, and when',
    );
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('result_key', 700).notNullable();
    table.string('check_id', 128).notNullable();
    table.string('from_status', 16).nullable();
    table.string('to_status', 16).notNullable();
    table.string('at', 32).notNullable();
    table.index(['entity_ref', 'at'], 'guardrails_check_history_entity_at_idx');
    table.index(['at'], 'guardrails_check_history_at_idx');
  });

  await knex.schema.createTable('guardrails_org_state', table => {
    table.comment('Org-wide state: unowned findings, cluster freshness');
    table.string('key', 64).primary();
    table.text('value').notNullable();
    table.string('updated_at', 32).notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('guardrails_org_state');
  await knex.schema.dropTable('guardrails_check_history');
  await knex.schema.dropTable('guardrails_check_status');
  await knex.schema.dropTable('guardrails_posture_history');
  await knex.schema.dropTable('guardrails_posture_failing');
  await knex.schema.dropTable('guardrails_posture');
};
