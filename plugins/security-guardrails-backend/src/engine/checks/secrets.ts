/*
 * secret.*: credentials where they do not belong. Values are inspected in
 * memory only; results name keys and what was recognised, never a value.
 */
import {
  Check,
  fail,
  pass,
  show,
} from '@internal/backstage-plugin-security-guardrails-node';

const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'secret',
  'token',
  'apikey',
  'credential',
  'credentials',
  'privatekey',
  'passphrase',
]);
const SECRET_PAIRS = [
  ['api', 'key'],
  ['private', 'key'],
  ['access', 'key'],
  ['secret', 'key'],
  ['client', 'secret'],
  ['auth', 'token'],
];
/** A last word that makes the name a reference to a secret, not the secret. */
const REFERENCE_SUFFIXES = new Set([
  'file',
  'path',
  'dir',
  'url',
  'uri',
  'endpoint',
  'host',
  'port',
  'name',
  'ref',
  'id',
  'type',
  'ttl',
  'expiry',
  'header',
  'length',
  'enabled',
  'mode',
]);

/** Whether a variable or key name says it holds a credential. */
export function looksLikeSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.length === 0) return false;
  if (words.length > 1 && REFERENCE_SUFFIXES.has(words[words.length - 1])) {
    return false;
  }
  if (words.some(w => SECRET_WORDS.has(w))) return true;
  for (let i = 0; i + 1 < words.length; i++) {
    if (SECRET_PAIRS.some(([a, b]) => words[i] === a && words[i + 1] === b)) {
      return true;
    }
  }
  return false;
}

const PLACEHOLDER =
  /^\s*(\$\{[^}]*\}|\$\([^)]*\)|\{\{[^}]*\}\}|<[^>]*>|%\([^)]*\)s|""|''|)\s*$/;

const VALUE_PATTERNS: Array<{ name: string; re: RegExp }> = [
  { name: 'a private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { name: 'an AWS access key id', re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'a GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { name: 'a Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { name: 'a Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  {
    name: 'a JSON Web Token',
    re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/,
  },
  {
    name: 'a URL with a password',
    re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@/i,
  },
];

/** `password = x`, `password: x`, `"password": "x"` on one line of a config file. */
const ASSIGNMENT = /^\s*["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*(.*)$/;

function assignedValue(raw: string): string {
  return raw
    .trim()
    .replace(/,$/, '')
    .replace(/^["'](.*)["']$/, '$1')
    .trim();
}

/** What in a value looks like a credential, or undefined. Never returns the value. */
export function credentialIn(key: string, value: string): string | undefined {
  if (
    looksLikeSecretName(key) &&
    !PLACEHOLDER.test(value) &&
    !value.includes('\n')
  ) {
    return 'a credential-named key with a value';
  }
  for (const { name, re } of VALUE_PATTERNS) {
    if (re.test(value)) return name;
  }
  if (value.includes('\n') || /[:=]/.test(value)) {
    for (const line of value.split('\n')) {
      const m = ASSIGNMENT.exec(line);
      if (!m || !looksLikeSecretName(m[1])) continue;
      const assigned = assignedValue(m[2]);
      if (assigned && !PLACEHOLDER.test(assigned)) {
        return `a credential assigned to ${m[1]}`;
      }
    }
  }
  return undefined;
}

export const envLiteral: Check = {
  meta: {
    id: 'secret.env-literal',
    title: 'No secrets as literal environment values',
    domain: 'implementation',
    severity: 'high',
    rationale:
      'A credential written as an env `value` lives in the manifest, in Git, in the Deployment object anyone with read access sees, and in every `kubectl describe`.',
    references: [
      'Kubescape C-0012 (credentials in configuration)',
      'Checkov CKV_K8S_35',
    ],
    remediation: `Move the value into a Secret (created by your secret manager or External Secrets), and reference it.

\`\`\`yaml
env:
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef:
        name: checkout-db
        key: password
\`\`\``,
  },
  workload: w =>
    w.containers.map(({ container, path }) => {
      const env = Array.isArray(container.env) ? container.env : [];
      const literal = env.filter(
        e =>
          e &&
          typeof e.name === 'string' &&
          typeof e.value === 'string' &&
          e.value.trim() !== '' &&
          !/^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(e.value.trim()) &&
          looksLikeSecretName(e.name),
      );
      const field = `${path}.env`;
      if (literal.length > 0) {
        const names = literal.map(e => e.name);
        return fail(
          `Secret-like variables with literal values: ${names.join(', ')}.`,
          {
            container: container.name,
            field: `${field}[${names[0]}].value`,
            observed: show(names),
          },
        );
      }
      return pass('No secret-like variable has a literal value.', {
        container: container.name,
        field,
      });
    }),
};

export const configMapCredentials: Check = {
  meta: {
    id: 'secret.configmap',
    title: 'ConfigMaps hold no credentials',
    domain: 'implementation',
    severity: 'high',
    rationale:
      'ConfigMaps are not Secrets: they are readable by anyone with `view`, not encrypted at rest, and end up in logs and support bundles. Credentials in them leak.',
    references: [
      'Kubescape C-0012 (credentials in configuration)',
      'Trivy secret scanning',
    ],
    remediation: `Move credentials into a Secret and keep only references in the ConfigMap.

\`\`\`yaml
apiVersion: v1
kind: ConfigMap
data:
  DB_HOST: postgres.payments.svc
  # DB_PASSWORD moved to Secret payments-db, key "password"
\`\`\``,
  },
  objectKinds: ['ConfigMap'],
  object: cm => {
    const data = cm.data;
    const findings: string[] = [];
    if (data && typeof data === 'object') {
      for (const [key, value] of Object.entries(
        data as Record<string, unknown>,
      )) {
        if (typeof value !== 'string') continue;
        const what = credentialIn(key, value);
        if (what) findings.push(`${key} (${what})`);
      }
    }
    return findings.length > 0
      ? [
          fail(`Looks like credentials in: ${findings.join('; ')}.`, {
            field: 'data',
            observed: show(findings.map(f => f.split(' (')[0])),
          }),
        ]
      : [pass('No key or value looks like a credential.', { field: 'data' })];
  },
};

export const secretChecks: Check[] = [envLiteral, configMapCredentials];
