import { useEffect } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { securityGuardrailsApiRef } from '../../api';

export function isNotFound(error: unknown): boolean {
  return error instanceof ResponseError && error.statusCode === 404;
}

/** How often a service that has not been evaluated yet is asked for again. */
export const NOT_EVALUATED_POLL_MS = 10_000;

/**
 * The entity's latest posture; `value` is null when it has not been evaluated
 * yet, and then it is fetched again every few seconds until it has (the first
 * scheduled evaluation runs shortly after the backend starts).
 */
export function usePosture(entityRef: string, enabled = true) {
  const api = useApi(securityGuardrailsApiRef);
  const state = useAsyncRetry(async () => {
    if (!enabled) return null;
    try {
      return await api.getPosture(entityRef);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }, [api, entityRef, enabled]);
  const waiting = enabled && !state.loading && state.value === null;
  const { retry } = state;
  useEffect(() => {
    if (!waiting) return undefined;
    const timer = setTimeout(retry, NOT_EVALUATED_POLL_MS);
    return () => clearTimeout(timer);
  }, [waiting, retry]);
  return state;
}
