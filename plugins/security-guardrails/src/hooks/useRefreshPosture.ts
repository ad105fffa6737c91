import { useCallback, useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { securityGuardrailsApiRef } from '../api';

/** A refresh the backend asked to wait for (429): its own words, and when to try again. */
export interface RefreshWait {
  message: string;
  until: number;
}

function tooManyRefreshes(e: unknown): RefreshWait | undefined {
  if (!(e instanceof ResponseError) || e.statusCode !== 429) return undefined;
  const seconds = Number(e.response.headers.get('Retry-After'));
  return {
    message:
      e.body?.error?.message || 'Refreshed moments ago; try again shortly.',
    until:
      Date.now() +
      (Number.isFinite(seconds) && seconds > 0 ? seconds : 30) * 1000,
  };
}

/**
 * Re-evaluates an entity now (the backend re-reads its clusters), then calls
 * `onRefreshed` so the caller reloads what it shows. An error is kept until
 * the next try; a 429 is not an error but a wait, which ends by itself when
 * the backend's Retry-After has passed.
 */
export function useRefreshPosture(entityRef: string, onRefreshed: () => void) {
  const api = useApi(securityGuardrailsApiRef);
  const [refreshing, setRefreshing] = useState(false);
  const [refreshError, setRefreshError] = useState<Error>();
  const [refreshWait, setRefreshWait] = useState<RefreshWait>();
  const refresh = useCallback(async () => {
    setRefreshing(true);
    setRefreshError(undefined);
    setRefreshWait(undefined);
    try {
      await api.refreshPosture(entityRef);
      onRefreshed();
    } catch (e) {
      const wait = tooManyRefreshes(e);
      if (wait) setRefreshWait(wait);
      else setRefreshError(e as Error);
    } finally {
      setRefreshing(false);
    }
  }, [api, entityRef, onRefreshed]);
  useEffect(() => {
    if (!refreshWait) return undefined;
    const timer = setTimeout(
      () => setRefreshWait(undefined),
      Math.max(0, refreshWait.until - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [refreshWait]);
  return {
    refresh,
    refreshing,
    refreshError,
    refreshWait,
    /** Whether the refresh button can be pressed now. */
    canRefresh: !refreshing && !refreshWait,
  };
}
