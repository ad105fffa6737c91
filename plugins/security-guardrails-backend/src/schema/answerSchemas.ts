/*
 * JSON Schema of every answer type the API names (ApiAnswers in -common),
 * generated from the TypeScript types themselves with ts-json-schema-generator
 * (the generator Backstage's config loader uses), so the OpenAPI document's
 * response bodies are the types the code compiles against. Written to
 * answers.json by `yarn openapi:generate`; a test regenerates it and fails
 * on drift. Not used at run time: the TypeScript compiler is a dev tool.
 */
import { resolvePackagePath } from '@backstage/backend-plugin-api';
// A dev-time tool (a devDependency): only `yarn openapi:generate` and the
// drift test import this file; the plugin serves the committed answers.json.
// eslint-disable-next-line @backstage/no-undeclared-imports
import { createGenerator } from 'ts-json-schema-generator';

type JsonSchema = Record<string, unknown>;

const COMMON = '@internal/backstage-plugin-security-guardrails-common';

/** Rewrites generator refs (`#/definitions/X`) to OpenAPI component refs. */
function toComponentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toComponentRefs);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [
        key,
        key === '$ref' && typeof v === 'string'
          ? v.replace('#/definitions/', '#/components/schemas/')
          : toComponentRefs(v),
      ]),
    );
  }
  return value;
}

/** Every answer type and the types they use, by name, as OpenAPI component schemas. */
export function generateAnswerSchemas(): Record<string, JsonSchema> {
  const generator = createGenerator({
    path: resolvePackagePath(COMMON, 'src/contract/answers.ts'),
    tsconfig: resolvePackagePath(COMMON, '../../tsconfig.json'),
    type: 'ApiAnswers',
    expose: 'export',
    topRef: true,
    jsDoc: 'basic',
    skipTypeCheck: true,
  });
  const { definitions = {} } = generator.createSchema('ApiAnswers');
  delete (definitions as Record<string, unknown>).ApiAnswers;
  const sorted = Object.keys(definitions)
    .sort()
    .map(name => [name, toComponentRefs(definitions[name])]);
  return Object.fromEntries(sorted) as Record<string, JsonSchema>;
}
