/*
 * Time-limited access and exemptions: requests (with their grant state),
 * who may decide them, decisions (one row per approver, so approvals are
 * distinct by construction) and the append-only audit history.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('guardrails_access_requests', table => {
    table.comment(
      'Requests for temporary access, exemptions and extensions, with their grant state',
    );
    table.string('id', 36).primary();
    table
      .string('kind', 16)
      .notNullable()
      .comment('access, exemption or extension');
    table
      .string('parent_id', 36)
      .nullable()
      .comment('The grant an extension extends');
    table.string('entity_ref', 255).notNullable();
    table.string('cluster', 64).nullable();
    table.text('namespaces').nullable().comment('JSON array');
    table.string('role', 64).nullable();
    table.string('cluster_role', 255).nullable();
    table.string('check_id', 128).nullable();
    table.text('scope').nullable().comment('JSON: exemption scope');
    table.integer('duration_seconds').notNullable();
    table.text('justification').notNullable();
    table.string('ticket', 255).nullable();
    table.string('requester', 255).notNullable();
    table
      .string('subject', 255)
      .nullable()
      .comment('The Kubernetes RBAC user the grant binds');
    table.string('state', 16).notNullable();
    table.integer('approvals_required').notNullable();
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.string('pending_expires_at', 32).nullable();
    table.string('approved_at', 32).nullable();
    table.string('applied_at', 32).nullable();
    table.string('expires_at', 32).nullable();
    table.string('ended_at', 32).nullable();
    table.string('ended_by', 255).nullable();
    table.text('end_reason').nullable();
    table
      .text('bindings')
      .notNullable()
      .comment('JSON: applied RoleBindings with their uid');
    table.integer('attempts').notNullable().defaultTo(0);
    table.string('next_attempt_at', 32).nullable();
    table.text('last_error').nullable();
    table.boolean('revoke_requested').notNullable().defaultTo(false);
    table.boolean('expiry_warned').notNullable().defaultTo(false);
    table.integer('version').notNullable().defaultTo(0);
    table.index(['state'], 'guardrails_access_requests_state_idx');
    table.index(['requester'], 'guardrails_access_requests_requester_idx');
    table.index(['entity_ref'], 'guardrails_access_requests_entity_idx');
    table.index(
      ['state', 'expires_at'],
      'guardrails_access_requests_expiry_idx',
    );
  });

  await knex.schema.createTable('guardrails_access_approvers', table => {
    table.comment(
      'Who may decide a request: group or user refs, from the access policy',
    );
    table.string('request_id', 36).notNullable();
    table.string('approver_ref', 255).notNullable();
    table.primary(['request_id', 'approver_ref']);
    table.index(['approver_ref'], 'guardrails_access_approvers_ref_idx');
  });

  await knex.schema.createTable('guardrails_access_approvals', table => {
    table.comment('Decisions on requests: one per approver');
    table.string('request_id', 36).notNullable();
    table.string('approver', 255).notNullable();
    table.string('decision', 8).notNullable();
    table.text('comment').nullable();
    table.string('at', 32).notNullable();
    table.primary(['request_id', 'approver']);
  });

  await knex.schema.createTable('guardrails_audit', table => {
    table.comment(
      'Append-only history of every request transition; never updated or deleted',
    );
    table.bigIncrements('id').primary();
    table.string('request_id', 36).notNullable();
    table.string('request_kind', 16).notNullable();
    table.string('event', 32).notNullable();
    table.string('actor', 255).notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('at', 32).notNullable();
    table.text('reason').nullable();
    table.text('details').nullable();
    table.index(['request_id'], 'guardrails_audit_request_idx');
    table.index(['entity_ref', 'at'], 'guardrails_audit_entity_at_idx');
    table.index(['actor', 'at'], 'guardrails_audit_actor_at_idx');
    table.index(['at'], 'guardrails_audit_at_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('guardrails_audit');
  await knex.schema.dropTable('guardrails_access_approvals');
  await knex.schema.dropTable('guardrails_access_approvers');
  await knex.schema.dropTable('guardrails_access_requests');
};
