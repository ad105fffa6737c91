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
