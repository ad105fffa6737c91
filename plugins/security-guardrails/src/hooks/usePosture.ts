import { useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { securityGuardrailsApiRef } from '../api';
import { useBackendData } from './useBackendData';

export function isNotFound(error: unknown): boolean {
  return error instanceof ResponseError && error.statusCode === 404;
}

/** How often a service that has not been evaluated yet is asked for again. */
export const NOT_EVALUATED_POLL_MS = 5_000;

/** The backend's own sentence for a 404 ("being evaluated now", "cluster demo unreachable since ..."). */
function reasonOf(error: ResponseError): string | undefined {
  const message = error.body?.error?.message;
  return typeof message === 'string' && message ? message : undefined;
}

/**
 * The entity's latest posture; `value` is null when it has none yet (the
 * backend evaluates a mapped service when it is asked for, so this is a wait
 * for a cluster or an evaluation under way), with the backend's reason in
 * `waitingReason`; it is then fetched again every few seconds. A backend
 * out of reach keeps the last posture shown, marked stale (useBackendData).
 */
export function usePosture(entityRef: string, enabled = true) {
  const api = useApi(securityGuardrailsApiRef);
  const [waitingReason, setWaitingReason] = useState<string>();
  const state = useBackendData(async () => {
    if (!enabled) return null;
    try {
      const posture = await api.getPosture(entityRef);
      setWaitingReason(undefined);
      return posture;
    } catch (e) {
      if (isNotFound(e)) {
        setWaitingReason(reasonOf(e as ResponseError));
        return null;
      }
      throw e;
    }
  }, [api, entityRef, enabled]);
  const waiting =
    enabled && !state.loading && !state.error && state.value === null;
  const { retry } = state;
  useEffect(() => {
    if (!waiting) return undefined;
    const timer = setTimeout(retry, NOT_EVALUATED_POLL_MS);
    return () => clearTimeout(timer);
  }, [waiting, retry]);
  return { ...state, waitingReason: waiting ? waitingReason : undefined };
}
