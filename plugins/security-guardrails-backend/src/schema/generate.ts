/*
 * `yarn openapi:generate`: writes openapi.yaml from the API contract.
 */
import fs from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import path from 'node:path';
import yaml from 'js-yaml';
import { buildOpenApiDocument } from './openapi';

export const OPENAPI_YAML = resolvePackagePath(
  '@internal/backstage-plugin-security-guardrails-backend',
  'src/schema/openapi.yaml',
);

export function renderOpenApiYaml(): string {
  return `# Generated from API_ROUTES (plugins/security-guardrails-common/src/contract.ts)
# by \`yarn openapi:generate\`: do not edit.
${yaml.dump(buildOpenApiDocument(), { noRefs: true, lineWidth: 100 })}`;
}

if (require.main === module) {
  fs.writeFileSync(OPENAPI_YAML, renderOpenApiYaml());
  process.stdout.write(`wrote ${path.relative(process.cwd(), OPENAPI_YAML)}\n`);
}
