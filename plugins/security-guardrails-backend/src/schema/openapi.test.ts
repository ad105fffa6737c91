/*
 * The OpenAPI document against the code: the committed openapi.yaml is what
 * the contract generates (`yarn openapi:generate` after a change), and every
 * route the routers serve is in the contract, with the same method and path.
 * answers.json is what the generator makes of -common's answer types, and
 * its schemas refuse bodies the types do not allow (the authorization matrix
 * checks every real 2xx answer against them).
 */
import fs from 'node:fs';
import { API_ROUTES } from '@internal/backstage-plugin-security-guardrails-common';
import { createAccessRouter } from '../service/accessRouter';
import { createCampaignRouter } from '../service/campaignRouter';
import { createPostureRouter } from '../service/postureRouter';
import { expressPath } from '../service/validation';
import { answerErrors } from '../__testUtils__/answers';
import {
  ANSWERS_JSON,
  OPENAPI_YAML,
  renderAnswersJson,
  renderOpenApiYaml,
} from './generate';
import { buildOpenApiDocument } from './openapi';

function routesOf(router: any): string[] {
  return router.stack
    .filter((layer: any) => layer.route)
    .flatMap((layer: any) =>
      Object.keys(layer.route.methods).map(
        m => `${m.toUpperCase()} ${layer.route.path}`,
      ),
    );
}

describe('the OpenAPI document', () => {
  it('is committed as generated (run `yarn openapi:generate` when this fails)', () => {
    expect(fs.readFileSync(OPENAPI_YAML, 'utf8')).toBe(renderOpenApiYaml());
  });

  it('has the answer schemas the types generate (run `yarn openapi:generate` when this fails)', () => {
    expect(fs.readFileSync(ANSWERS_JSON, 'utf8')).toBe(renderAnswersJson());
  }, 60_000);

  it('gives every route a success answer with a schema', () => {
    const doc = buildOpenApiDocument() as any;
    const missing = Object.values(API_ROUTES)
      .map(r => r.response.type)
      .filter(type => !doc.components.schemas[type]);
    expect(missing).toEqual([]);
    expect(
      doc.paths['/posture/{kind}/{namespace}/{name}'].get.responses['200']
        .content['application/json'].schema,
    ).toEqual({ $ref: '#/components/schemas/EntityPosture' });
  });

  it('refuses answers the types do not allow', () => {
    expect(answerErrors('get', '/health', { status: 'ok' })).toEqual([]);
    expect(answerErrors('get', '/health', { status: 'down' })).toEqual([
      '/status must be equal to constant',
    ]);
    expect(answerErrors('get', '/health', { status: 'ok', extra: 1 })).toEqual([
      '(body) must NOT have additional properties (extra)',
    ]);
    expect(
      answerErrors('get', '/posture/component/default/storefront', {
        entityRef: 'component:default/storefront',
      }),
    ).toEqual(
      expect.arrayContaining([
        "(body) must have required property 'score'",
        "(body) must have required property 'results'",
      ]),
    );
    expect(
      answerErrors('get', '/checks/sc.privileged?x=1', {
        id: 'sc.privileged',
      }).length,
    ).toBeGreaterThan(0);
    expect(() => answerErrors('get', '/nowhere', {})).toThrow(
      'no route in the contract for get /nowhere',
    );
  });

  it('has every route the routers serve, and no other', () => {
    const served = [
      ...routesOf(createPostureRouter({} as any)),
      ...routesOf(createAccessRouter({} as any)),
      ...routesOf(createCampaignRouter({} as any)),
    ].sort();
    const contract = Object.values(API_ROUTES)
      .filter(r => r.tag !== 'meta')
      .map(r => `${r.method.toUpperCase()} ${expressPath(r)}`)
      .sort();
    expect(served).toEqual(contract);
  });

  it('describes each operation with its parameters, body and answers', () => {
    const doc = buildOpenApiDocument() as any;
    const create = doc.paths['/access-requests'].post;
    expect(create.requestBody.content['application/json'].schema).toMatchObject(
      {
        type: 'object',
        additionalProperties: false,
        required: expect.arrayContaining(['entityRef', 'justification']),
        properties: {
          justification: { type: 'string', minLength: 10, maxLength: 2000 },
        },
      },
    );
    expect(create['x-permissions']).toEqual([
      { permission: 'security-guardrails.access-request.create', on: 'entity' },
    ]);
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '409']),
    );
    const history = doc.paths['/posture/{kind}/{namespace}/{name}/history'].get;
    expect(history.parameters.map((p: any) => `${p.in}:${p.name}`)).toEqual([
      'path:kind',
      'path:namespace',
      'path:name',
      'query:from',
      'query:to',
    ]);
    expect(doc.paths['/health'].get.security).toEqual([]);
  });
});
