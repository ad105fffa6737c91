/*
 * secret.*: credentials where they do not belong. Values are inspected in
 * memory only; results name keys and what was recognised, never a value.
 *
 * Over 400 lines on purpose: the sec.* family and the credential detectors
 * it shares (each detector linear-time, with its own false-positive rules).
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
  'location',
  'prefix',
  'version',
  'size',
  'format',
  'algorithm',
  'issuer',
  'audience',
  'scope',
  'scopes',
  'provider',
  'source',
  'expiration',
  'lifetime',
  'timeout',
  'duration',
  'seconds',
  'policy',
  'required',
]);

/** Words that name key material when they follow `key`: `TLS_KEY_CONTENT`, `SA_KEY_JSON`. */
const KEY_CONTENT_SUFFIXES = new Set([
  'content',
  'contents',
  'data',
  'pem',
  'der',
  'b64',
  'base64',
  'json',
  'material',
  'value',
  'raw',
  'hex',
]);
/** Words before `key` that make it a key of a table, a cache or a map, or a public half. */
const NON_SECRET_KEY_QUALIFIERS = new Set([
  'public',
  'pub',
  'primary',
  'foreign',
  'sort',
  'partition',
  'range',
  'hash',
  'cache',
  'routing',
  'idempotency',
  'object',
  'lookup',
  'map',
  'index',
  'shard',
  'row',
  'column',
  'group',
  'unique',
  'composite',
  'dedup',
  'dedupe',
  'message',
  'metric',
  'label',
  'tag',
  'feature',
  'flag',
  'translation',
  'i18n',
  'storage',
  'bucket',
  'prefix',
]);

function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const NAMES_KEPT = 4096;
const NAME_KEPT_CHARS = 128;
/** secretNameStrength's answers by name; '' for none. */
const strengthByName = new Map<string, 'strong' | 'key' | ''>();

/**
 * How strongly a variable or key name says it holds a credential: `strong`
 * for passwords, secrets, tokens and credentials; `key` for `*_KEY` and
 * `*_KEY_CONTENT` names, which also name cache and table keys, so their
 * value must look like key material too.
 */
export function secretNameStrength(name: string): 'strong' | 'key' | undefined {
  // Names repeat across workloads and files (PORT, DB_HOST, password): each
  // short one is worked out once while the memory holds NAMES_KEPT of them.
  if (name.length > NAME_KEPT_CHARS) return strengthOf(name);
  const known = strengthByName.get(name);
  if (known !== undefined) return known || undefined;
  const strength = strengthOf(name);
  if (strengthByName.size >= NAMES_KEPT) strengthByName.clear();
  // A copy: a name matched in a config file is a slice of the whole text,
  // which keeping the slice would keep.
  strengthByName.set(` ${name}`.slice(1), strength ?? '');
  return strength;
}

function strengthOf(name: string): 'strong' | 'key' | undefined {
  const words = wordsOf(name);
  if (words.length === 0) return undefined;
  if (words.length > 1 && REFERENCE_SUFFIXES.has(words[words.length - 1])) {
    return undefined;
  }
  if (words.some(w => SECRET_WORDS.has(w))) return 'strong';
  for (let i = 0; i + 1 < words.length; i++) {
    if (SECRET_PAIRS.some(([x, y]) => words[i] === x && words[i + 1] === y)) {
      return 'strong';
    }
  }
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== 'key' && words[i] !== 'keys') continue;
    const before = words[i - 1];
    const after = words.slice(i + 1);
    if (!before || NON_SECRET_KEY_QUALIFIERS.has(before)) continue;
    if (after.every(w => KEY_CONTENT_SUFFIXES.has(w))) return 'key';
  }
  return undefined;
}

/** Whether a variable or key name says it holds a credential. */
export function looksLikeSecretName(name: string): boolean {
  return secretNameStrength(name) !== undefined;
}

/** A reference or template, not a value: `${X}`, `$(X)`, `{{ x }}`, `<x>`, `%(x)s`, empty quotes. */
const PLACEHOLDER =
  /^(?:\$\{[^}]*\}|\$\([^)]*\)|\{\{[^}]*\}\}|<[^>]*>|%\([^)]*\)s|""|'')$/;
/** Values a credential-named setting has that are not credentials. */
const NOT_A_CREDENTIAL =
  /^(?:true|false|yes|no|on|off|enabled|disabled|none|null|nil|required|optional|[0-9]{1,2}|\*+|x+)$/i;

/**
 * The literal a credential-named setting holds, or undefined when it holds
 * nothing, a reference or template, a file path, or a flag.
 */
function literalValue(value: string): string | undefined {
  const v = value.trim();
  if (!v || v.length > 64 * 1024) return undefined;
  if (PLACEHOLDER.test(v) || NOT_A_CREDENTIAL.test(v)) return undefined;
  // A path names where the secret is (GOOGLE_APPLICATION_CREDENTIALS=/var/run/...).
  if (/^(?:\/|\.\.?\/|~\/|file:)\S*$/.test(v)) return undefined;
  return v;
}

/** A `*_KEY` value that looks like key material: long, one word, letters and digits. */
function looksLikeKeyMaterial(v: string): boolean {
  return (
    v.length >= 16 &&
    /^[A-Za-z0-9+/=_.:-]+$/.test(v) &&
    /[0-9]/.test(v) &&
    /[A-Za-z]/.test(v)
  );
}

/*
 * Credential shapes, matched against one token at a time (a value split at
 * whitespace, quotes, brackets, `=`, `,` and `;`). Every pattern is anchored
 * at the token's start and each of its repetitions is of a class the next
 * literal is not in, so a match attempt is linear in the token and a value
 * is scanned in linear time overall.
 */
const TOKEN_SEPARATORS = /[\s"'`,;=()<>[\]{}|\\]+/;
const TOKEN_SHAPES: Array<{ name: string; re: RegExp }> = [
  { name: 'an AWS access key id', re: /^(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}$/ },
  {
    name: 'a GitHub token',
    re: /^(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{36,255})$/,
  },
  { name: 'a GitLab token', re: /^glpat-[A-Za-z0-9_-]{20,255}$/ },
  { name: 'a Slack token', re: /^xox[abposr]-[A-Za-z0-9-]{10,255}$/ },
  {
    name: 'a Slack webhook URL',
    re: /^https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9]{6,32}\/[A-Za-z0-9]{6,32}\/[A-Za-z0-9]{16,64}$/,
  },
  { name: 'a Google API key', re: /^AIza[0-9A-Za-z_-]{35}$/ },
  { name: 'a Stripe secret key', re: /^(?:sk|rk)_live_[0-9A-Za-z]{16,255}$/ },
  { name: 'an npm token', re: /^npm_[A-Za-z0-9]{36}$/ },
  {
    name: 'a SendGrid API key',
    re: /^SG\.[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16,64}$/,
  },
  {
    name: 'a JSON Web Token',
    re: /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/,
  },
];
/** `scheme://user:password@`: the password is what is between `:` and `@`. */
const URL_WITH_PASSWORD = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/]*:([^@/]+)@/;
/** A PEM private key header, matched where `-----BEGIN ` starts (sticky, bounded). */
const PEM_PRIVATE_KEY =
  /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/y;
const PEM_START = '-----BEGIN ';

function pemPrivateKeyIn(value: string): boolean {
  let label = value.indexOf('PRIVATE KEY');
  if (label < 0) return false;
  for (
    let at = value.indexOf(PEM_START);
    at >= 0 && label >= 0;
    at = value.indexOf(PEM_START, at + PEM_START.length)
  ) {
    if (label < at) label = value.indexOf('PRIVATE KEY', at);
    // Only a header whose label is near enough is worth the (bounded) match.
    if (label >= 0 && label - at <= PEM_START.length + 40) {
      PEM_PRIVATE_KEY.lastIndex = at;
      if (PEM_PRIVATE_KEY.test(value)) return true;
    }
  }
  return false;
}

/** The prefixes of every token shape, so most tokens cost one test. */
const TOKEN_PREFIX =
  /^(?:A[KSBC][IC]A|gh[pousr]_|github_pat_|glpat-|xox|https:\/\/hooks\.|AIza|[sr]k_live_|npm_|SG\.|eyJ)/;

/** The kind of credential a value contains, by shape alone, or undefined. Linear time. */
export function credentialShapeIn(value: string): string | undefined {
  if (pemPrivateKeyIn(value)) return 'a private key';
  for (const token of value.split(TOKEN_SEPARATORS)) {
    if (token.length < 8) continue;
    if (TOKEN_PREFIX.test(token)) {
      for (const { name, re } of TOKEN_SHAPES) {
        if (re.test(token)) return name;
      }
    }
    if (token.includes('://')) {
      const url = URL_WITH_PASSWORD.exec(token);
      if (url && !NOT_A_CREDENTIAL.test(url[1]) && !url[1].startsWith('$')) {
        return 'a URL with a password';
      }
    }
  }
  return undefined;
}

/** `password = x`, `password: x`, `"password": "x"`, `Password=x;` in a config file or connection string. */
const ASSIGNMENT = /^[\s{[]*["']?([A-Za-z0-9_.-]+)["']?\s*[:=]/;
const SEGMENT_SEPARATORS = /[\n;&,]/;

function assignedValue(raw: string): string {
  if (PLACEHOLDER.test(raw.trim())) return '';
  // The end of a one-line JSON object: `"password":"x"}`.
  let end = raw.length;
  while (end > 0 && '}] \t\r'.includes(raw[end - 1])) end--;
  let v = raw.slice(0, end).trim();
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) {
    v = v.slice(1, -1);
  }
  return v.trim();
}

/** The name of the first credential-named setting assigned a literal inside a value. */
function assignmentIn(value: string): string | undefined {
  if (!/[:=]/.test(value)) return undefined;
  for (const segment of value.split(SEGMENT_SEPARATORS)) {
    if (segment.length > 64 * 1024) continue;
    const m = ASSIGNMENT.exec(segment);
    if (!m) continue;
    const strength = secretNameStrength(m[1]);
    if (!strength) continue;
    const assigned = literalValue(assignedValue(segment.slice(m[0].length)));
    if (!assigned) continue;
    if (strength === 'strong' || looksLikeKeyMaterial(assigned)) return m[1];
  }
  return undefined;
}

/**
 * What in a named value looks like a credential, or undefined: a recognised
 * shape (private key, token, JWT, URL with a password), a credential-named
 * key holding a literal, or a credential assigned inside a config file.
 * Never returns the value; linear in its length.
 */
export function credentialIn(key: string, value: string): string | undefined {
  const shape = credentialShapeIn(value);
  if (shape) return shape;
  if (!value.includes('\n')) {
    const literal = literalValue(value);
    const strength = literal ? secretNameStrength(key) : undefined;
    if (strength === 'strong') return 'a credential-named key with a value';
    if (strength === 'key' && looksLikeKeyMaterial(literal!)) {
      return 'a key-named value that looks like key material';
    }
  }
  const assigned = assignmentIn(value);
  return assigned ? `a credential assigned to ${assigned}` : undefined;
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
      const literal: Array<{ name: string; what: string }> = [];
      for (const e of env) {
        if (!e || typeof e.name !== 'string' || typeof e.value !== 'string') {
          continue;
        }
        // Kubernetes expands $(VAR) from other variables: a reference, not a value.
        if (/^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(e.value.trim())) continue;
        const what = credentialIn(e.name, e.value);
        if (what) literal.push({ name: e.name, what });
      }
      const field = `${path}.env`;
      if (literal.length > 0) {
        const names = literal.map(e => e.name);
        return fail(
          `Credentials as literal values: ${literal
            .map(e => `${e.name} (${e.what})`)
            .join(', ')}.`,
          {
            container: container.name,
            field: `${field}[${names[0]}].value`,
            observed: show(names),
          },
        );
      }
      return pass('No variable holds a credential as a literal value.', {
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
