/*
 * Input validation: zod schemas, and errors that name the field and the rule.
 */
import { InputError } from '@backstage/errors';
import { z } from 'zod/v3';

/** Catalog name rules: letters, digits, `-`, `_`, `.`; 1-63 characters, starting and ending alphanumeric. */
export const entityNamePart = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/,
    'must be letters, digits, "-", "_" or "." (1-63), starting and ending with a letter or digit',
  );

export const entityKind = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z][A-Za-z0-9]*$/, 'must be a catalog kind such as Component');

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

/** A query parameter that may be given once or repeated (`?owner=a&owner=b`), or comma-separated. */
export function listParam<T extends z.ZodTypeAny>(item: T) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform(v =>
      (Array.isArray(v) ? v : v.split(',')).map(s => s.trim()).filter(Boolean),
    )
    .pipe(z.array(item).max(50, 'at most 50 values'));
}

export const isoDateTime = z
  .string()
  .max(40)
  .refine(
    v =>
      /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) &&
      !Number.isNaN(Date.parse(v)),
    {
      message:
        'must be an ISO 8601 date or date-time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z',
    },
  );
