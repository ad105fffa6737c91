/*
 * The plugin's OpenAPI 3.1 document, built from the API contract
 * (API_ROUTES in -common): for each route its path parameters, query and
 * body as JSON Schema (from the zod schemas requests are validated with),
 * the permissions it checks, its success answer (JSON Schema of the -common
 * type it names, generated into answers.json) and its errors. Served at
 * `/openapi.json`; `openapi.yaml` beside this file is the same document,
 * committed, and a test fails when the two drift (`yarn openapi:generate`
 * rewrites it).
 *
 * Why not `backstage-repo-tools package schema openapi generate --server`:
 * its generator is a Java tool fetched from Maven Central, which these
 * machines cannot reach, and validating with express-openapi-validator
 * would replace every message that names a field and its rule with a
 * generic one. The contract is written once either way.
 */
import {
  API_ROUTES,
  ApiRoute,
} from '@internal/backstage-plugin-security-guardrails-common';
import { z } from 'zod/v3';
import { zodToJsonSchema } from 'zod-to-json-schema';
import ANSWER_SCHEMAS from './answers.json';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodTypeAny): JsonSchema {
  const out = zodToJsonSchema(schema, {
    target: 'openApi3',
    $refStrategy: 'none',
    effectStrategy: 'input',
    pipeStrategy: 'input',
  }) as JsonSchema;
  delete out.$schema;
  return out;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The request breaks a rule; the message names the field and the rule',
  401: 'No valid Backstage credentials',
  403: 'The caller lacks the permission, or a policy rule refuses it (the message names the rule)',
  404: 'No such entity, request or check visible to the caller (with Retry-After when a posture is on its way)',
  409: 'The request is no longer in a state that allows this, or conflicts with another',
  429: 'Refreshed moments ago; Retry-After says when to try again',
  503: 'A cluster or the database cannot be reached now; Retry-After says when to try again',
};

const errorBody = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { name: { type: 'string' }, message: { type: 'string' } },
      required: ['name', 'message'],
    },
    request: { type: 'object' },
    response: {
      type: 'object',
      properties: { statusCode: { type: 'integer' } },
    },
  },
  required: ['error'],
};

function parameters(route: ApiRoute): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const s = jsonSchema(schema);
    const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((s.required as string[] | undefined) ?? []);
    for (const [name, property] of Object.entries(properties)) {
      out.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        schema: property,
      });
    }
  }
  return out;
}

function operation(id: string, route: ApiRoute): JsonSchema {
  const errors = route.permissions.length
    ? [400, 401, ...route.errors]
    : route.errors;
  return {
    operationId: id,
    summary: route.summary,
    tags: [route.tag],
    ...(route.permissions.length
      ? {
          'x-permissions': route.permissions.map(p => ({
            permission: p.name,
            on: p.on,
          })),
        }
      : { security: [] }),
    parameters: parameters(route),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(route.body) } },
          },
        }
      : {}),
    responses: {
      [route.response.status]: {
        description: route.response.description,
        content: {
          'application/json': {
            schema: { $ref: `#/components/schemas/${route.response.type}` },
          },
        },
      },
      ...Object.fromEntries(
        [...new Set(errors)]
          .sort()
          .map(status => [
            status,
            { $ref: `#/components/responses/Error${status}` },
          ]),
      ),
    },
  };
}

/**
 * The OpenAPI document of every route the plugin serves; `answers` are the
 * answer types' schemas (answers.json unless the generator passes fresh ones).
 */
export function buildOpenApiDocument(
  answers: Record<string, object> = ANSWER_SCHEMAS,
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [id, route] of Object.entries(API_ROUTES) as Array<
    [string, ApiRoute]
  >) {
    (paths[route.path] ??= {})[route.method] = operation(id, route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'security-guardrails',
      version: '1',
      description:
        "Security Guardrails for Backstage: each service's security posture, and self-service time-limited access. Every route but /health needs Backstage credentials; x-permissions names the permissions each checks.",
    },
    servers: [{ url: '/api/security-guardrails' }],
    components: {
      securitySchemes: {
        backstage: { type: 'http', scheme: 'bearer' },
      },
      schemas: { ...answers, Error: errorBody },
      responses: Object.fromEntries(
        Object.entries(ERROR_DESCRIPTIONS).map(([status, description]) => [
          `Error${status}`,
          {
            description,
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/Error' },
              },
            },
          },
        ]),
      ),
    },
    security: [{ backstage: [] }],
    paths,
  };
}
