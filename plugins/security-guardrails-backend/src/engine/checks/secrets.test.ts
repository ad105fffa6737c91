/*
 * secret.env-literal and secret.configmap: credentials found by name and by
 * value, never quoted, in linear time.
 */
import fc from 'fast-check';
import {
  configMapCredentials,
  credentialIn,
  credentialShapeIn,
  envLiteral,
  secretNameStrength,
} from './secrets';
import {
  deployment,
  hardenedContainer,
  hardenedPodSpec,
  object,
  runCheck,
} from '../../__testUtils__/builders';

// Shapes assembled at run time so no credential-shaped literal sits in the repository.
const repeat = (c: string, n: number) => c.repeat(n);
const SAMPLES = {
  rsaKey: `-----BEGIN RSA PRIVATE KEY-----\nMIIEow${repeat(
    'A',
    60,
  )}\n-----END RSA PRIVATE KEY-----`,
  pkcs8: `-----BEGIN PRIVATE KEY-----\nMIIEv${repeat(
    'Q',
    60,
  )}\n-----END PRIVATE KEY-----`,
  openssh: `-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl${repeat(
    'b',
    60,
  )}\n-----END OPENSSH PRIVATE KEY-----`,
  encrypted: `-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF${repeat(
    'z',
    60,
  )}\n-----END ENCRYPTED PRIVATE KEY-----`,
  pgp: `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQ${repeat(
    'c',
    60,
  )}\n-----END PGP PRIVATE KEY BLOCK-----`,
  aws: `AKIA${'ABCDEFGHIJKLMNOP'}`,
  github: `ghp_${repeat('a1B2', 9)}`,
  githubFine: `github_pat_${repeat('A1b2', 20)}`,
  gitlab: `glpat-${repeat('x9', 10)}`,
  slack: `xoxb-${'1234567890'}-${'abcdefghij'}`,
  slackHook: `https://hooks.slack.com/services/T${repeat('0', 8)}/B${repeat(
    '1',
    8,
  )}/${repeat('a', 24)}`,
  google: `AIza${repeat('S', 35)}`,
  stripe: `sk_live_${repeat('4eC3', 6)}`,
  npm: `npm_${repeat('n', 36)}`,
  sendgrid: `SG.${repeat('s', 22)}.${repeat('t', 43)}`,
  jwt: `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${repeat('k', 43)}`,
};

describe('credential names', () => {
  it.each([
    ['DB_PASSWORD', 'strong'],
    ['GITHUB_TOKEN', 'strong'],
    ['CLIENT_SECRET', 'strong'],
    ['GCP_CREDENTIALS', 'strong'],
    ['STRIPE_KEY', 'key'],
    ['SIGNING_KEY', 'key'],
    ['TLS_KEY_CONTENT', 'key'],
    ['SA_KEY_JSON', 'key'],
    ['sshKey', 'key'],
    ['CACHE_KEY', undefined],
    ['PUBLIC_KEY', undefined],
    ['PARTITION_KEY', undefined],
    ['KMS_KEY_ID', undefined],
    ['TLS_KEY_FILE', undefined],
    ['KEY', undefined],
    ['TOKEN_URL', undefined],
    ['PASSWORD_MIN_LENGTH', undefined],
    ['LOG_LEVEL', undefined],
  ])('%s is %s', (name, strength) => {
    expect(secretNameStrength(name)).toBe(strength);
  });

  it('answers the same for a name asked again, long names, and after thousands of others', () => {
    const asked = ['DB_PASSWORD', 'STRIPE_KEY', 'CACHE_KEY', 'LOG_LEVEL'];
    const first = asked.map(secretNameStrength);
    expect(first).toEqual(['strong', 'key', undefined, undefined]);
    // Past what is kept, so what was kept is dropped and worked out again.
    for (let i = 0; i < 10_000; i++) secretNameStrength(`SETTING_${i}`);
    expect(asked.map(secretNameStrength)).toEqual(first);
    expect(asked.map(secretNameStrength)).toEqual(first);
    const long = `${'VERY_'.repeat(40)}PASSWORD`;
    expect(secretNameStrength(long)).toBe('strong');
    expect(secretNameStrength(`${'VERY_'.repeat(40)}LEVEL`)).toBeUndefined();
  });
});

describe('credential values', () => {
  it.each(Object.entries(SAMPLES))('finds %s under any key', (_, value) => {
    expect(credentialIn('config', value)).toBeDefined();
    expect(
      credentialIn('config', `some text before ${value}\nand after`),
    ).toBeDefined();
  });

  it.each([
    ['postgres://app:s3cret@db:5432/app', 'a URL with a password'],
    [
      'mongodb+srv://admin:hunter2@cluster0.example.net/db',
      'a URL with a password',
    ],
    ['redis://:hunter2@redis:6379/0', 'a URL with a password'],
    ['amqp://guest:guest@rabbitmq:5672/', 'a URL with a password'],
    ['DATABASE_URL=postgres://u:pw@h/db', 'a URL with a password'],
  ])('finds the password in %s', (value, what) => {
    expect(credentialIn('DATABASE_URL', value)).toBe(what);
  });

  it('finds credentials assigned inside config files and connection strings', () => {
    expect(
      credentialIn(
        'appsettings',
        'Server=db;Database=app;User Id=sa;Password=Secr3t!;',
      ),
    ).toBe('a credential assigned to Password');
    expect(
      credentialIn('config.json', '{"user":"app","password":"hunter2"}'),
    ).toBe('a credential assigned to password');
    expect(
      credentialIn(
        'application.yaml',
        'spring:\n  datasource:\n    password: hunter2\n',
      ),
    ).toBe('a credential assigned to password');
    expect(
      credentialIn(
        'app.properties',
        'stripe.key=sk_test_51Habc123def456ghi789',
      ),
    ).toBe('a credential assigned to stripe.key');
  });

  it.each([
    ['password', '${DB_PASSWORD}'],
    ['password', '{{ .Values.db.password }}'],
    ['password', '<your password>'],
    ['DB_PASSWORD', ''],
    ['ENABLE_TOKEN_AUTH', 'true'],
    ['GOOGLE_APPLICATION_CREDENTIALS', '/var/run/secrets/google/key.json'],
    ['CACHE_KEY', 'user-sessions'],
    ['STRIPE_KEY', 'changeme'],
    ['DATABASE_URL', 'postgres://app:${DB_PASSWORD}@db:5432/app'],
    ['DATABASE_URL', 'postgres://db.example.com:5432/app'],
    ['app.yaml', 'password: ${DB_PASSWORD}\nuser: app'],
    ['ca.crt', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
    ['key.pub', '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----'],
    ['notes', 'The token endpoint is https://auth.example.com/token'],
  ])('does not flag %s = %j', (key, value) => {
    expect(credentialIn(key, value)).toBeUndefined();
  });

  it('names the kind of credential, never the value (property)', () => {
    const phrases = /^(a |an )/;
    fc.assert(
      fc.property(fc.string({ minLength: 8 }), fc.string(), (value, key) => {
        const what = credentialIn(key, value);
        if (what === undefined) return true;
        return phrases.test(what) && !what.includes(value);
      }),
      { numRuns: 300 },
    );
  });
});

describe('linear time', () => {
  const MiB = 1024 * 1024;
  // Inputs that make backtracking patterns quadratic: long runs of what a
  // pattern's repetition accepts, with the literal that follows missing.
  const adversarial: Record<string, string> = {
    letters: repeat('a', MiB),
    spaces: repeat(' ', MiB),
    schemes: repeat('a:', MiB / 2),
    urls: repeat('a://b:', MiB / 6),
    jwtHeads: repeat('eyJ', MiB / 3),
    pemHeads: repeat('-----BEGIN ', MiB / 11),
    assignments: `password:${repeat(' ', MiB - 12)}\rx`,
    segments: repeat('password=', MiB / 9),
    base64: repeat('QUJDREVGR0g', MiB / 11),
  };

  it.each(Object.keys(adversarial))(
    'scans 1 MiB of %s within the budget',
    name => {
      const value = adversarial[name];
      credentialIn('config', value); // warm up
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        credentialIn('config', value);
        credentialShapeIn(value);
        runs.push(performance.now() - start);
      }
      // The goal is 50 ms per MiB; the bound leaves room for a loaded CI
      // machine while still failing any quadratic pattern (seconds at this size).
      expect(Math.min(...runs)).toBeLessThan(250);
    },
  );

  it('a 1 MiB ConfigMap value is one check run, not a stall', () => {
    const cm = object('ConfigMap', 'big', {
      data: { 'blob.txt': repeat('ab:', MiB / 3) },
    });
    const start = performance.now();
    runCheck(configMapCredentials, [cm]);
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('the checks', () => {
  const D = { kind: 'Deployment', name: 'app' };
  const withEnv = (env: Array<Record<string, string>>) =>
    deployment({
      podSpec: hardenedPodSpec({
        containers: [hardenedContainer('app', { env })],
      }),
    });

  it('secret.env-literal finds credentials by value under innocent names, naming the kind', () => {
    const results = runCheck(envLiteral, [
      withEnv([
        { name: 'CONFIG', value: SAMPLES.github },
        { name: 'DATABASE_URL', value: 'postgres://app:s3cret@db/app' },
        { name: 'LOG_LEVEL', value: 'info' },
      ]),
    ]);
    const r = results.find(x => x.resource.kind === D.kind)!;
    expect(r.status).toBe('fail');
    expect(r.message).toContain('CONFIG (a GitHub token)');
    expect(r.message).toContain('DATABASE_URL (a URL with a password)');
    expect(r.message).not.toContain('LOG_LEVEL');
    expect(JSON.stringify(results)).not.toContain(SAMPLES.github);
    expect(JSON.stringify(results)).not.toContain('s3cret');
  });

  it('secret.env-literal passes references and placeholders', () => {
    const results = runCheck(envLiteral, [
      withEnv([
        { name: 'DB_PASSWORD', value: '$(PASSWORD_FROM_SECRET)' },
        {
          name: 'GOOGLE_APPLICATION_CREDENTIALS',
          value: '/var/secrets/key.json',
        },
        { name: 'FEATURE_KEY', value: 'checkout-v2' },
      ]),
    ]);
    expect(results.find(x => x.resource.kind === D.kind)!.status).toBe('pass');
  });

  it('secret.configmap finds a private key under a neutral key and names only the key', () => {
    const cm = object('ConfigMap', 'c', {
      data: { 'server.conf': `listen 443;\n${SAMPLES.pkcs8}`, PORT: '8080' },
    });
    const [r] = runCheck(configMapCredentials, [cm]);
    expect(r.status).toBe('fail');
    expect(r.message).toBe(
      'Looks like credentials in: server.conf (a private key).',
    );
    expect(r.observed).toContain('server.conf');
    expect(JSON.stringify(r)).not.toContain('MIIEv');
  });
});
