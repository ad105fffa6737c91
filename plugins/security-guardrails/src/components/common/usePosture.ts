import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { securityGuardrailsApiRef } from '../../api';

export function isNotFound(error: unknown): boolean {
  return error instanceof ResponseError && error.statusCode === 404;
}

/** The entity's latest posture; `value` is null when it has not been evaluated yet. */
export function usePosture(entityRef: string, enabled = true) {
  const api = useApi(securityGuardrailsApiRef);
  return useAsyncRetry(async () => {
    if (!enabled) return null;
    try {
      return await api.getPosture(entityRef);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }, [api, entityRef, enabled]);
}
