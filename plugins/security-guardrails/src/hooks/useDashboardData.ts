import { useCallback, useRef } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  Domain,
  PostureSummary,
  SummaryGroupBy,
} from '@internal/backstage-plugin-security-guardrails-common';
import { securityGuardrailsApiRef } from '../api';
import { useBackendData } from './useBackendData';

/** The services table's filters; '' is "any". */
export interface DashboardFilters {
  owner: string;
  system: string;
  domain: Domain | '';
  grade: string;
}

export const NO_FILTERS: DashboardFilters = {
  owner: '',
  system: '',
  domain: '',
  grade: '',
};

/**
 * Everything the adoption dashboard shows, each part loading on its own:
 * the summary grouped as asked (each grouping requested once per visit, and
 * shared with the owner and system filter lists), the trend, the filtered
 * services, and who holds what.
 */
export function useDashboardData(
  groupBy: SummaryGroupBy,
  filters: DashboardFilters,
) {
  const api = useApi(securityGuardrailsApiRef);
  const summaries = useRef(new Map<SummaryGroupBy, Promise<PostureSummary>>());
  const summaryBy = useCallback(
    (by: SummaryGroupBy) => {
      let pending = summaries.current.get(by);
      if (!pending) {
        pending = api.getSummary(by);
        summaries.current.set(by, pending);
        // A failed request is asked again next time, not remembered.
        pending.catch(() => summaries.current.delete(by));
      }
      return pending;
    },
    [api],
  );
  const { owner, system, domain, grade } = filters;

  const summary = useBackendData(
    () => summaryBy(groupBy),
    [summaryBy, groupBy],
  );
  const owners = useBackendData(() => summaryBy('owner'), [summaryBy]);
  const systems = useBackendData(() => summaryBy('system'), [summaryBy]);
  const trend = useBackendData(() => api.getTrend(30), [api]);
  const services = useBackendData(
    () =>
      api.listPostures({
        owner: owner ? [owner] : undefined,
        system: system ? [system] : undefined,
        domain: domain || undefined,
        grade: grade ? [grade] : undefined,
        limit: 500,
      }),
    [api, owner, system, domain, grade],
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
    trend,
    services,
    standingAccess,
    grants,
    exemptions,
  };
}
