import { ResponseError } from '@backstage/errors';

/** The backend's 404 for a posture, as the client receives it. */
export async function notFound(message = 'not evaluated yet') {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'NotFoundError', message },
        request: { method: 'GET', url: '/api/security-guardrails/posture' },
        response: { statusCode: 404 },
      }),
      {
        status: 404,
        headers: { 'Content-Type': 'application/json' },
      },
    ) as any,
  );
}

/** The backend's 429 for a refresh asked too soon, with its Retry-After. */
export async function tooManyRequests(
  message: string,
  retryAfterSeconds: number,
) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'TooManyRequestsError', message },
        request: { method: 'POST', url: '/api/security-guardrails/refresh' },
        response: { statusCode: 429 },
      }),
      {
        status: 429,
        headers: {
          'Content-Type': 'application/json',
          'Retry-After': String(retryAfterSeconds),
        },
      },
    ) as any,
  );
}
