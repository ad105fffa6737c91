/*
 * What a service can be scoped by beyond owner, system and lifecycle: its
 * catalog tags, the Kubernetes namespaces of its objects and the clusters
 * they run in, one row per (service, facet, value), so a campaign's scope
 * is a query in the database. Written with each posture; the namespaces and
 * clusters of postures stored before are copied from their rows here, and
 * tags arrive as postures are next stored.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('guardrails_posture_facets', table => {
    table.comment(
      'Tags, namespaces and clusters of each stored posture, for scopes',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('facet', 16).notNullable().comment('tag, namespace, cluster');
    table.string('value', 255).notNullable();
    table.primary(['entity_ref', 'facet', 'value']);
    table.index(['facet', 'value'], 'guardrails_posture_facets_value_idx');
  });
  /** @param {string} text */
  const parse = text => {
    try {
      const v = JSON.parse(text);
      return Array.isArray(v) ? v : [];
    } catch {
      return [];
    }
  };
  let last = '';
  for (;;) {
    const rows = await knex('guardrails_posture')
      .where('entity_ref', '>', last)
      .orderBy('entity_ref')
      .limit(500)
      .select('entity_ref', 'namespaces', 'clusters');
    if (!rows.length) break;
    last = rows[rows.length - 1].entity_ref;
    /** @type {Array<{entity_ref: string, facet: string, value: string}>} */
    const facets = [];
    for (const row of rows) {
      const namespaces = new Set(
        parse(row.namespaces).filter(n => typeof n === 'string'),
      );
      const clusters = new Set(
        parse(row.clusters)
          .map(c => c && c.cluster)
          .filter(c => typeof c === 'string' && c !== 'catalog'),
      );
      for (const value of namespaces) {
        facets.push({ entity_ref: row.entity_ref, facet: 'namespace', value });
      }
      for (const value of clusters) {
        facets.push({ entity_ref: row.entity_ref, facet: 'cluster', value });
      }
    }
    for (let i = 0; i < facets.length; i += 300) {
      await knex('guardrails_posture_facets').insert(facets.slice(i, i + 300));
    }
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('guardrails_posture_facets');
};
