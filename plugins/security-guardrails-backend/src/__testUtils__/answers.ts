/*
 * Checks an answer of the API against the OpenAPI document's schema for its
 * route: the route is found from the method and path in the contract, its
 * answer schema is the one answers.json gives the type it names. Used by the
 * authorization matrix on every 2xx answer, so each schema is tested against
 * what the routes really send.
 */
import Ajv, { ValidateFunction } from 'ajv';
import {
  API_ROUTES,
  ApiRoute,
} from '@internal/backstage-plugin-security-guardrails-common';
import ANSWER_SCHEMAS from '../schema/answers.json';

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema({ components: { schemas: ANSWER_SCHEMAS } }, 'answers');

const validators = new Map<string, ValidateFunction>();
function validatorFor(type: string): ValidateFunction {
  let validate = validators.get(type);
  if (!validate) {
    const found = ajv.getSchema(`answers#/components/schemas/${type}`);
    if (!found) throw new Error(`no schema for the answer type ${type}`);
    validate = found;
    validators.set(type, validate);
  }
  return validate;
}

const ROUTES = (Object.values(API_ROUTES) as ApiRoute[]).map(route => ({
  route,
  pattern: new RegExp(
    `^${route.path.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`,
  ),
}));

/** The contract's route for a method and a path (query ignored). */
export function routeFor(method: string, path: string): ApiRoute {
  const bare = path.replace(/\?.*$/, '');
  const found = ROUTES.find(
    r => r.route.method === method.toLowerCase() && r.pattern.test(bare),
  );
  if (!found) throw new Error(`no route in the contract for ${method} ${path}`);
  return found.route;
}

/**
 * What is wrong with `body` as the answer of `method path` (an empty list
 * when it matches the schema), each as "<where> <what>".
 */
export function answerErrors(
  method: string,
  path: string,
  body: unknown,
): string[] {
  const validate = validatorFor(routeFor(method, path).response.type);
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    e =>
      `${e.instancePath || '(body)'} ${e.message}${
        e.params && 'additionalProperty' in e.params
          ? ` (${e.params.additionalProperty})`
          : ''
      }`,
  );
}
