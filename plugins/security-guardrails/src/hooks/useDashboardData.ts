import { useCallback, useMemo, useRef } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { useSearchParams } from 'react-router-dom';
import {
  Domain,
  DOMAINS,
  PostureScope,
  PostureSummary,
  SummaryGroupBy,
} from '@internal/backstage-plugin-security-guardrails-common';
import { securityGuardrailsApiRef } from '../api';
import { useBackendData } from './useBackendData';

/**
 * The dashboard's view, as it stands in the URL (so a view can be shared):
 * owner, system and lifecycle scope the whole page; domain and grade filter
 * the services table; `by` groups the rollup.
 */
export interface DashboardFilters {
  owner: string;
  system: string;
  lifecycle: string;
  domain: Domain | '';
  grade: string;
  /** Services failing this check (a drill-down from the pass rates). */
  check: string;
}

export const NO_FILTERS: DashboardFilters = {
  owner: '',
  system: '',
  lifecycle: '',
  domain: '',
  grade: '',
  check: '',
};

/** A check id as the API accepts one; anything else in the URL is ignored. */
const CHECK_ID = /^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$/;

const GROUPINGS: SummaryGroupBy[] = [
  'owner',
  'system',
  'lifecycle',
  'domain',
  'namespace',
];
const GRADES = ['A', 'B', 'C', 'D', 'F'];

/** The view in the URL: read leniently (an unknown value is "any"), written without empty parameters. */
export function useDashboardView() {
  const [params, setParams] = useSearchParams();
  const by = params.get('by') as SummaryGroupBy | null;
  const groupBy: SummaryGroupBy = by && GROUPINGS.includes(by) ? by : 'owner';
  const domain = params.get('domain') as Domain | null;
  const grade = params.get('grade') ?? '';
  const filters: DashboardFilters = {
    owner: params.get('owner') ?? '',
    system: params.get('system') ?? '',
    lifecycle: params.get('lifecycle') ?? '',
    domain: domain && DOMAINS.includes(domain) ? domain : '',
    grade: GRADES.includes(grade) ? grade : '',
    check: CHECK_ID.test(params.get('check') ?? '') ? params.get('check')! : '',
  };
  const update = useCallback(
    (changes: Partial<DashboardFilters> & { by?: SummaryGroupBy }) =>
      setParams(
        current => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(changes)) {
            if (value) next.set(key, value);
            else next.delete(key);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return {
    groupBy,
    filters,
    setGroupBy: (next: SummaryGroupBy) =>
      update({ by: next === 'owner' ? undefined : next }),
    setFilters: (next: DashboardFilters) => update(next),
  };
}

/** The part of the view that scopes every card. */
export function scopeOf(filters: DashboardFilters): PostureScope {
  return {
    owner: filters.owner ? [filters.owner] : undefined,
    system: filters.system ? [filters.system] : undefined,
    lifecycle: filters.lifecycle ? [filters.lifecycle] : undefined,
  };
}

/**
 * Everything the adoption dashboard shows, each part loading on its own:
 * the summary and trend over the services in scope, the filter choices
 * (from the whole organisation, so they do not vanish as one filters), the
 * filtered services, and who holds what on the services in scope.
 */
export function useDashboardData(
  groupBy: SummaryGroupBy,
  filters: DashboardFilters,
) {
  const api = useApi(securityGuardrailsApiRef);
  // Whole-organisation summaries, for the filter choices: asked once per visit.
  const choices = useRef(new Map<SummaryGroupBy, Promise<PostureSummary>>());
  const choicesBy = useCallback(
    (by: SummaryGroupBy) => {
      let pending = choices.current.get(by);
      if (!pending) {
        pending = api.getSummary(by);
        choices.current.set(by, pending);
        // A failed request is asked again next time, not remembered.
        pending.catch(() => choices.current.delete(by));
      }
      return pending;
    },
    [api],
  );
  const { owner, system, lifecycle, domain, grade, check } = filters;
  const scope = useMemo(
    () => scopeOf({ ...NO_FILTERS, owner, system, lifecycle }),
    [owner, system, lifecycle],
  );
  const scoped = Boolean(owner || system || lifecycle);

  const summary = useBackendData(
    () => (scoped ? api.getSummary(groupBy, scope) : choicesBy(groupBy)),
    [api, choicesBy, groupBy, scope, scoped],
  );
  const owners = useBackendData(() => choicesBy('owner'), [choicesBy]);
  const systems = useBackendData(() => choicesBy('system'), [choicesBy]);
  const lifecycles = useBackendData(() => choicesBy('lifecycle'), [choicesBy]);
  const trend = useBackendData(() => api.getTrend(30, scope), [api, scope]);
  const services = useBackendData(
    () =>
      api.listPostures({
        ...scope,
        domain: domain || undefined,
        grade: grade ? [grade] : undefined,
        failingCheck: check || undefined,
        limit: 500,
      }),
    [api, scope, domain, grade, check],
  );
  // The services in scope, to narrow the access cards to them.
  const inScope = useBackendData(
    async () =>
      scoped
        ? new Set(
            (await api.listPostures({ ...scope, limit: 500 })).items.map(
              i => i.entityRef,
            ),
          )
        : undefined,
    [api, scope, scoped],
  );
  const standingAccess = useBackendData(() => api.getStandingAccess(), [api]);
  const grants = useBackendData(() => api.listGrants(), [api]);
  const exemptions = useBackendData(
    () =>
      api.listRequests('exemption', {
        view: 'all',
        state: ['active'],
        limit: 200,
      }),
    [api],
  );
  return {
    summary,
    owners,
    systems,
    lifecycles,
    trend,
    services,
    inScope,
    standingAccess,
    grants,
    exemptions,
  };
}
