import { useCallback, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { securityGuardrailsApiRef } from '../api';

/**
 * Re-evaluates an entity now (the backend re-reads its clusters), then calls
 * `onRefreshed` so the caller reloads what it shows. The error, if any, is
 * kept until the next try.
 */
export function useRefreshPosture(entityRef: string, onRefreshed: () => void) {
  const api = useApi(securityGuardrailsApiRef);
  const [refreshing, setRefreshing] = useState(false);
  const [refreshError, setRefreshError] = useState<Error>();
  const refresh = useCallback(async () => {
    setRefreshing(true);
    setRefreshError(undefined);
    try {
      await api.refreshPosture(entityRef);
      onRefreshed();
    } catch (e) {
      setRefreshError(e as Error);
    } finally {
      setRefreshing(false);
    }
  }, [api, entityRef, onRefreshed]);
  return { refresh, refreshing, refreshError };
}
