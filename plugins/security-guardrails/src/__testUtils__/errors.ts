import { ResponseError } from '@backstage/errors';

/** A backend error answer, as the client receives it. */
function backendError(
  status: number,
  name: string,
  message: string,
  request: { method: string; url: string },
  headers: Record<string, string> = {},
) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        request,
        response: { statusCode: status },
      }),
      {
        status,
        headers: { 'Content-Type': 'application/json', ...headers },
      },
    ) as any,
  );
}

/** The backend's 404 for a posture. */
export async function notFound(message = 'not evaluated yet') {
  return backendError(404, 'NotFoundError', message, {
    method: 'GET',
    url: '/api/security-guardrails/posture',
  });
}

/** The backend's 429 for a refresh asked too soon, with its Retry-After. */
export async function tooManyRequests(
  message: string,
  retryAfterSeconds: number,
) {
  return backendError(
    429,
    'TooManyRequestsError',
    message,
    { method: 'POST', url: '/api/security-guardrails/refresh' },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/** A proxy's 503 while the backend restarts. */
export async function unavailable() {
  return backendError(
    503,
    'ServiceUnavailableError',
    'The backend is starting',
    { method: 'GET', url: '/api/security-guardrails/posture' },
  );
}
