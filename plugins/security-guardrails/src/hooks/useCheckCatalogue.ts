import { useApi } from '@backstage/core-plugin-api';
import { CheckDescription } from '@internal/backstage-plugin-security-guardrails-common';
import { SecurityGuardrailsApi, securityGuardrailsApiRef } from '../api';
import { useBackendData } from './useBackendData';

const cache = new WeakMap<SecurityGuardrailsApi, Promise<CheckDescription[]>>();

/** The check catalogue, fetched once per API instance. */
export function useCheckCatalogue() {
  const api = useApi(securityGuardrailsApiRef);
  return useBackendData(async () => {
    let pending = cache.get(api);
    if (!pending) {
      pending = api.getChecks();
      cache.set(api, pending);
      pending.catch(() => cache.delete(api));
    }
    const checks = await pending;
    return new Map(checks.map(c => [c.id, c]));
  }, [api]);
}
