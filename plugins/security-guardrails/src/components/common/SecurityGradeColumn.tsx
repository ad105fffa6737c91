/*
 * A security grade column for the catalog table, as Tech Insights
 * scorecards users expect: each row's grade from one list of postures
 * shared by every cell of the page (fetched once per half minute), a dash
 * for entities without a posture.
 */
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { PostureListItem } from '@internal/backstage-plugin-security-guardrails-common';
import { SecurityGuardrailsApi, securityGuardrailsApiRef } from '../../api';
import { useBackendData } from '../../hooks/useBackendData';
import { GradeBadge } from './Badges';

const FRESH_MS = 30_000;
const cache = new WeakMap<
  SecurityGuardrailsApi,
  { at: number; pending: Promise<Map<string, PostureListItem>> }
>();

function grades(api: SecurityGuardrailsApi) {
  const hit = cache.get(api);
  if (hit && Date.now() - hit.at < FRESH_MS) return hit.pending;
  const pending = api
    .listPostures({ limit: 500 })
    .then(page => new Map(page.items.map(i => [i.entityRef, i])));
  cache.set(api, { at: Date.now(), pending });
  pending.catch(() => cache.delete(api));
  return pending;
}

/** The grade of one catalog row's entity. */
export function SecurityGradeCell(props: { entity: Entity }) {
  const api = useApi(securityGuardrailsApiRef);
  const ref = stringifyEntityRef(props.entity);
  const data = useBackendData(() => grades(api), [api]);
  const item = data.value?.get(ref);
  if (!item) return <span aria-label="No security grade">–</span>;
  return (
    <span title={`Security score ${item.score ?? '–'} of 100`}>
      <GradeBadge grade={item.grade} />
    </span>
  );
}

/**
 * The column to add to the catalog's table (`CatalogTable` columns, or a
 * catalog page of one's own), for rows that carry their entity.
 *
 * @public
 */
export function createSecurityGradeColumn<T extends { entity: Entity }>() {
  return {
    title: 'Security',
    field: 'entity.metadata.name',
    sorting: false,
    width: '90px',
    render: (row: T) => <SecurityGradeCell entity={row.entity} />,
  };
}
