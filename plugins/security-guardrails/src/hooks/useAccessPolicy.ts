import { useApi } from '@backstage/core-plugin-api';
import { AccessPolicyInfo } from '@internal/backstage-plugin-security-guardrails-common';
import { SecurityGuardrailsApi, securityGuardrailsApiRef } from '../api';
import { useBackendData } from './useBackendData';

const cache = new WeakMap<SecurityGuardrailsApi, Promise<AccessPolicyInfo>>();

/** The grantable roles and limits, fetched once per API instance. */
export function useAccessPolicy() {
  const api = useApi(securityGuardrailsApiRef);
  return useBackendData(async () => {
    let pending = cache.get(api);
    if (!pending) {
      pending = api.getAccessPolicy();
      cache.set(api, pending);
      pending.catch(() => cache.delete(api));
    }
    return pending;
  }, [api]);
}
