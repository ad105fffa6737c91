/*
 * `yarn openapi:generate`: writes answers.json (the answer types as JSON
 * Schema, from -common's TypeScript) and openapi.yaml (the whole document,
 * from the contract and answers.json). Both are committed; openapi.test.ts
 * fails when either drifts from what this would write.
 */
import fs from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import path from 'node:path';
import yaml from 'js-yaml';
import { generateAnswerSchemas } from './answerSchemas';
import { buildOpenApiDocument } from './openapi';

const BACKEND = '@internal/backstage-plugin-security-guardrails-backend';

export const OPENAPI_YAML = resolvePackagePath(
  BACKEND,
  'src/schema/openapi.yaml',
);
export const ANSWERS_JSON = resolvePackagePath(
  BACKEND,
  'src/schema/answers.json',
);

export function renderAnswersJson(
  answers: Record<string, object> = generateAnswerSchemas(),
): string {
  return `${JSON.stringify(answers, null, 2)}\n`;
}

export function renderOpenApiYaml(answers?: Record<string, object>): string {
  return `# Generated from API_ROUTES and ApiAnswers (plugins/security-guardrails-common/src/contract/)
# by \`yarn openapi:generate\`: do not edit.
${yaml.dump(buildOpenApiDocument(answers), { noRefs: true, lineWidth: 100 })}`;
}

if (require.main === module) {
  const answers = generateAnswerSchemas();
  fs.writeFileSync(ANSWERS_JSON, renderAnswersJson(answers));
  fs.writeFileSync(OPENAPI_YAML, renderOpenApiYaml(answers));
  for (const file of [ANSWERS_JSON, OPENAPI_YAML])
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
