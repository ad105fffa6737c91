/*
 * Input validation against the API contract (API_ROUTES in -common): a
 * request part parsed with its route's zod schema, or a 400 that names every
 * offending field and its rule.
 */
import { InputError } from '@backstage/errors';
import { ApiRoute } from '@internal/backstage-plugin-security-guardrails-common';
import { z } from 'zod/v3';

export function formatIssues(error: z.ZodError, where: string): string {
  return error.issues
    .map(
      issue =>
        `${[where, ...issue.path].filter(p => p !== '').join('.')}: ${
          issue.message
        }`,
    )
    .join('; ');
}

/** Parses or throws a 400 naming every offending field. */
export function parseInput<T extends z.ZodTypeAny>(
  schema: T,
  value: unknown,
  where: string,
): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new InputError(
      `Invalid ${where}: ${formatIssues(parsed.error, where)}`,
    );
  }
  return parsed.data;
}

/** A contract route's path as express writes it: `{id}` becomes `:id`. */
export function expressPath(route: Pick<ApiRoute, 'path'>): string {
  return route.path.replace(/\{(\w+)\}/g, ':$1');
}
