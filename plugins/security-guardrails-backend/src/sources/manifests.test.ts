import fs from 'node:fs';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { countEventLoopTurns } from '../__testUtils__/eventLoop';
import { ManifestsSource } from './ManifestsSource';
import path from 'node:path';
import {
  loadStream,
  parseDocumentByDocument,
  parseJsonManifest,
  parseManifests,
} from './parseManifests';
import { DEMO_CLUSTER_DIR } from '../__testUtils__/demo';

const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.27
`;

describe('parseManifests', () => {
  it('reads multi-document YAML with the line of each document', () => {
    const text = `${deployment('a')}---\n# comment\n${deployment('b')}`;
    const parsed = parseManifests(text, 'x.yaml');
    expect(parsed.errors).toEqual([]);
    expect(parsed.objects.map(o => o.metadata.name)).toEqual(['a', 'b']);
    expect(parsed.objects.map(o => parsed.locations.get(o)!.line)).toEqual([
      1, 13,
    ]);
    expect(parsed.objects[0].metadata.namespace).toBe('default');
  });

  it('splits at every form of document marker, with the first content line of each document', () => {
    const sa = (name: string) =>
      `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n`;
    const text = [
      `---\n${sa('a')}`, // lines 1-5: a leading marker, content on line 2
      `--- # after the marker\n\n# a comment\n${sa('b')}`, // lines 6-12: content on 9
      `...\n`, // line 13: ends b
      '--- {apiVersion: v1, kind: ServiceAccount, metadata: {name: c}}\n', // line 14: content on the marker's line
      `---\n---\n`, // lines 15-16: empty documents
      `----not-a-marker: 1\n`, // line 17: a key, not a marker
    ].join('');
    const parsed = parseManifests(text, 'x.yaml');
    expect(parsed.objects.map(o => o.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(parsed.objects.map(o => parsed.locations.get(o)!.line)).toEqual([
      2, 9, 14,
    ]);
    expect(parsed.errors).toEqual([
      { file: 'x.yaml', line: 17, message: 'missing kind' },
    ]);
  });

  it('reads a multi-document file with Windows line endings (CRLF)', () => {
    const text = `${deployment('a')}---\n${deployment('b')}`.replace(
      /\n/g,
      '\r\n',
    );
    const parsed = parseManifests(text, 'crlf.yaml');
    expect(parsed.errors).toEqual([]);
    expect(parsed.objects.map(o => o.metadata.name)).toEqual(['a', 'b']);
    expect(parsed.objects.map(o => parsed.locations.get(o)!.line)).toEqual([
      1, 12,
    ]);
  });

  it('reports a document that does not parse with its file and line, and keeps the others', () => {
    const text = `${deployment(
      'a',
    )}---\nkind: Deployment\nmetadata: [unclosed\n---\n${deployment('c')}`;
    const parsed = parseManifests(text, 'broken.yaml');
    expect(parsed.objects.map(o => o.metadata.name)).toEqual(['a', 'c']);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]).toMatchObject({
      file: 'broken.yaml',
      line: expect.any(Number),
    });
    expect(parsed.errors[0].line).toBeGreaterThanOrEqual(12);
  });

  it('reports documents that are not Kubernetes objects', () => {
    const parsed = parseManifests(
      'just: a map\n---\n- a list\n---\nkind: Pod\napiVersion: v1\nmetadata: {}\n',
      'x.yaml',
    );
    expect(parsed.objects).toEqual([]);
    expect(parsed.errors.map(e => e.message)).toEqual([
      'missing kind',
      'not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)',
      'Pod: missing metadata.name',
    ]);
  });

  it('expands List kinds', () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ServiceAccount
    metadata: { name: a, namespace: ns }
  - apiVersion: v1
    kind: ConfigMap
    metadata: { name: b }
`;
    const parsed = parseManifests(text, 'list.yaml', {
      defaultNamespace: 'team',
    });
    expect(
      parsed.objects.map(
        o => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`,
      ),
    ).toEqual(['ServiceAccount/ns/a', 'ConfigMap/team/b']);
  });

  it('refuses YAML alias bombs with a clear error', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'kind: ConfigMap',
      'apiVersion: v1',
      'metadata: { name: bomb }',
      'data: *f',
    ].join('\n');
    const parsed = parseManifests(
      `${bomb}\n---\n${deployment('ok')}`,
      'bomb.yaml',
    );
    expect(parsed.objects.map(o => o.metadata.name)).toEqual(['ok']);
    expect(parsed.errors[0].message).toMatch(/alias bomb/);
  });

  it('refuses deeply nested documents', () => {
    const deep = `kind: ConfigMap\napiVersion: v1\nmetadata: { name: deep }\ndata: ${'['.repeat(
      200,
    )}${']'.repeat(200)}\n`;
    const parsed = parseManifests(deep, 'deep.yaml');
    expect(parsed.objects).toEqual([]);
    expect(parsed.errors[0].message).toMatch(/nested deeper than 64/);
  });

  it('refuses JSON nested deeper than the limit, at any depth without overflowing, and keeps it at the limit', () => {
    const withData = (data: string) =>
      `{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"j"},"data":${data}}`;
    // The object is level 0, so `data`'s 64 nested arrays are levels 1 to 64.
    const atLimit = withData(`${'['.repeat(64)}${']'.repeat(64)}`);
    expect(parseJsonManifest(atLimit, 'ok.json').objects).toHaveLength(1);
    for (const deep of [
      withData(`${'['.repeat(65)}${']'.repeat(65)}`),
      withData(`${'{"a":'.repeat(65)}1${'}'.repeat(65)}`),
      withData(`${'['.repeat(5000)}${']'.repeat(5000)}`),
    ]) {
      const parsed = parseJsonManifest(deep, 'deep.json');
      expect(parsed.objects).toEqual([]);
      expect(parsed.errors[0].message).toBe(
        'refused: nested deeper than 64 levels',
      );
    }
  });

  it('drops Secrets without keeping their data', () => {
    const text = `apiVersion: v1\nkind: Secret\nmetadata: { name: s }\ndata: { password: aHVudGVyMg== }\n---\n${deployment(
      'a',
    )}`;
    const parsed = parseManifests(text, 's.yaml');
    expect(parsed.skippedSecrets).toBe(1);
    expect(parsed.objects.map(o => o.kind)).toEqual(['Deployment']);
    expect(JSON.stringify(parsed)).not.toContain('aHVudGVyMg');
  });

  it('keeps objects without their status and managedFields, as kubectl exports them, and the rest as it was', () => {
    const kept = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'shop',
        labels: { app: 'web' },
        resourceVersion: '42',
      },
      spec: { replicas: 2 },
    };
    const exported = {
      ...kept,
      metadata: {
        ...kept.metadata,
        managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': {} } }],
      },
      status: { replicas: 2, conditions: [{ type: 'Available' }] },
    };
    const plain = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'sa', namespace: 'shop' },
    };
    const fromJson = parseJsonManifest(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [exported, plain],
      }),
      'export.json',
    );
    const fromYaml = parseManifests(
      `${JSON.stringify(exported)}\n---\n${JSON.stringify(plain)}\n`,
      'export.yaml',
    );
    for (const parsed of [fromJson, fromYaml]) {
      const [web, sa] = parsed.objects;
      expect(web).toEqual(kept);
      expect(Object.keys(web)).toEqual([
        'apiVersion',
        'kind',
        'metadata',
        'spec',
      ]);
      expect(sa).toEqual(plain);
      // Each object kept is the one its location is for.
      expect(parsed.locations.get(web)).toBeDefined();
      expect(parsed.locations.get(sa)).toBeDefined();
    }
  });

  it('reads JSON objects and Lists, and reports invalid JSON with a line', () => {
    const list = JSON.stringify({
      kind: 'List',
      apiVersion: 'v1',
      items: [
        { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'a' } },
      ],
    });
    expect(parseJsonManifest(list, 'l.json').objects).toHaveLength(1);
    const bad = parseJsonManifest('{\n  "kind": "Pod",\n  oops\n}', 'bad.json');
    expect(bad.errors[0]).toMatchObject({
      file: 'bad.json',
      message: expect.stringMatching(/invalid JSON/),
    });
  });

  it('refuses an alias that refers to itself', () => {
    const parsed = parseManifests(
      `kind: ConfigMap\napiVersion: v1\nmetadata: { name: loop }\ndata: &a { self: *a }\n---\n${deployment(
        'ok',
      )}`,
      'loop.yaml',
    );
    expect(parsed.objects.map(o => o.metadata.name)).toEqual(['ok']);
    expect(parsed.errors[0].message).toMatch(/alias/);
  });

  it('expands the occasional legitimate alias into separate objects', () => {
    const parsed = parseManifests(
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: shared',
        '  labels: &labels { team: web }',
        '  annotations: *labels',
      ].join('\n'),
      'alias.yaml',
    );
    expect(parsed.errors).toEqual([]);
    const meta = parsed.objects[0].metadata;
    expect(meta.annotations).toEqual({ team: 'web' });
    expect(meta.annotations).not.toBe(meta.labels);
  });

  it('keeps timestamps as strings and honours document end markers and content after ---', () => {
    const text = [
      '--- # the first',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: a',
      '  annotations:',
      '    expires-at: 2026-10-03T18:00:00Z',
      '...',
      '--- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}',
      '',
    ].join('\n');
    const parsed = parseManifests(text, 'markers.yaml');
    expect(parsed.errors).toEqual([]);
    expect(parsed.objects.map(o => o.metadata.name)).toEqual(['a', 'b']);
    expect(parsed.objects[0].metadata.annotations!['expires-at']).toBe(
      '2026-10-03T18:00:00Z',
    );
    expect(parsed.objects.map(o => parsed.locations.get(o)!.line)).toEqual([
      2, 9,
    ]);
  });
});

describe('parseManifests in one pass', () => {
  /** What a parse found, with each object's line, comparable across parses. */
  const found = (text: string, parse: typeof parseManifests) => {
    const parsed = parse(text, 'x.yaml');
    return {
      objects: parsed.objects,
      lines: parsed.objects.map(o => parsed.locations.get(o)!.line),
      errors: parsed.errors,
      skippedSecrets: parsed.skippedSecrets,
    };
  };
  const sa = (name: string) =>
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n`;
  const streams: Record<string, string> = {
    'one document': deployment('a'),
    'markers, comments and blank lines': `# head\n\n---\n${sa(
      'a',
    )}--- # b\n\n# c\n${sa(
      'b',
    )}...\n# after the end\n--- ${'{'}apiVersion: v1, kind: ServiceAccount, metadata: {name: c}}\n`,
    'empty documents and a trailing marker': `---\n---\n${sa('a')}---\n`,
    'block scalars': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n  a: |\n    ---\n    text\n  b: >-\n    folded\n    text\n---\n${sa(
      'b',
    )}`,
    'a List': `apiVersion: v1\nkind: List\nitems:\n  - ${sa('a').replace(
      /\n(?=.)/g,
      '\n    ',
    )}`,
    'a Secret and an invalid object': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  k: dmFsdWU=\n---\nkind: ConfigMap\n---\n- 1\n---\n${sa(
      'ok',
    )}`,
    'documents too deep': `${sa(
      'a',
    )}---\nkind: ConfigMap\napiVersion: v1\nmetadata: { name: deep }\ndata: ${'['.repeat(
      70,
    )}${']'.repeat(70)}\n---\n${sa('b')}`,
    'a document that does not parse': `${sa('a')}---\nkind: [\n---\n${sa('b')}`,
    'an anchor': `${sa(
      'a',
    )}---\nmetadata: &m {name: b}\nkind: ServiceAccount\napiVersion: v1\n`,
    'a directive': `%YAML 1.2\n---\n${sa('a')}`,
    'timestamps and numbers': `${sa(
      'a',
    )}  annotations:\n    at: 2026-10-03T18:00:00Z\n    n: "010"\nautomountServiceAccountToken: false\n`,
  };
  const demo = fs
    .readdirSync(DEMO_CLUSTER_DIR)
    .filter(f => f.endsWith('.yaml'))
    .map(f => path.join(DEMO_CLUSTER_DIR, f));
  const installs = path.join(__dirname, '../__fixtures__/installs');
  const fixtures = fs
    .readdirSync(installs, { withFileTypes: true })
    .filter(d => d.isDirectory())
    .flatMap(d =>
      fs
        .readdirSync(path.join(installs, d.name))
        .map(f => path.join(installs, d.name, f)),
    )
    .filter(f => f.endsWith('.yaml'));
  for (const file of [...demo, ...fixtures]) {
    streams[path.basename(file)] = fs.readFileSync(file, 'utf8');
  }

  it.each(Object.entries(streams))(
    'finds in %s what loading document by document finds, in LF, CRLF and after a BOM',
    (_name, text) => {
      for (const variant of [
        text,
        text.replace(/\n/g, '\r\n'),
        `\uFEFF${text}`,
      ]) {
        expect(found(variant, parseManifests)).toEqual(
          found(variant, parseDocumentByDocument),
        );
      }
    },
  );

  it('reads in one pass every stream that all loads and has no anchors', () => {
    const onePass = Object.entries(streams)
      .filter(([, text]) => loadStream(text) !== undefined)
      .map(([name]) => name);
    expect(onePass).toEqual(
      expect.arrayContaining([
        'one document',
        'markers, comments and blank lines',
        'block scalars',
        'documents too deep',
        'a directive',
        ...demo.map(f => path.basename(f)),
      ]),
    );
    for (const name of ['a document that does not parse', 'an anchor']) {
      expect(onePass).not.toContain(name);
    }
  });
});

describe('parseManifests document by document', () => {
  it('keeps directives with the document their marker starts, next to one that does not parse', () => {
    const sa = (name: string) =>
      `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n`;
    const text = [
      `%YAML 1.2\n# a comment\n---\n${sa('a')}`, // lines 1-7: content on 4
      `---\nkind: [\n`, // lines 8-9: does not parse
      `...\n%YAML 1.2\n--- # b\n\n${sa('b')}`, // lines 10-17: content on 14
    ].join('');
    expect(loadStream(text)).toBeUndefined();
    const parsed = parseManifests(text, 'x.yaml');
    expect(parsed.objects.map(o => o.metadata.name)).toEqual(['a', 'b']);
    expect(parsed.objects.map(o => parsed.locations.get(o)!.line)).toEqual([
      4, 14,
    ]);
    // Where js-yaml finds the document cut off: at its end, line 10.
    expect(parsed.errors).toEqual([
      {
        file: 'x.yaml',
        line: 10,
        message: 'unexpected end of the stream within a flow collection',
      },
    ]);
  });
});

describe('ManifestsSource', () => {
  const dir = createMockDirectory();

  afterEach(() => dir.clear());

  /** The mock directory read with a 1 KiB file limit, paths relative to it. */
  const readWithSmallLimit = () =>
    ManifestsSource.create({
      cluster: 'c1',
      paths: [dir.path],
      maxFileBytes: 1024,
      relativeTo: dir.path,
    }).read();

  it('reads directories recursively: YAML and JSON, skipping hidden folders and other files', async () => {
    dir.setContent({
      'a.yaml': deployment('a'),
      'nested/b.yml': deployment('b'),
      'nested/c.json': JSON.stringify({
        kind: 'ServiceAccount',
        apiVersion: 'v1',
        metadata: { name: 'c', namespace: 'x' },
      }),
      '.git/d.yaml': deployment('d'),
      'README.md': '# not a manifest',
    });
    const snapshot = await ManifestsSource.create({
      cluster: 'c1',
      paths: [dir.path],
      relativeTo: dir.path,
    }).read();
    expect(snapshot.status).toBe('ok');
    expect(snapshot.objects.map(o => o.metadata.name).sort()).toEqual([
      'a',
      'b',
      'c',
    ]);
    const b = snapshot.objects.find(o => o.metadata.name === 'b')!;
    expect(snapshot.locations!.get(b)).toEqual({
      file: 'nested/b.yml',
      line: 1,
    });
  });

  it('refuses oversized files by name, and still reads the rest (partial)', async () => {
    dir.setContent({
      'big.yaml': `# ${'x'.repeat(2048)}\n${deployment('big')}`,
      'ok.yaml': deployment('ok'),
    });
    const snapshot = await readWithSmallLimit();
    expect(snapshot.status).toBe('partial');
    expect(snapshot.objects.map(o => o.metadata.name)).toEqual(['ok']);
    expect(snapshot.errors[0]).toMatchObject({
      file: 'big.yaml',
      message: expect.stringMatching(/over the 1024-byte limit/),
    });
  });

  it('keeps objects, locations and errors of every kind in file order', async () => {
    dir.setContent({
      '1-big.yaml': `# ${'x'.repeat(2048)}\n${deployment('big')}`,
      '2-two.yaml': `${deployment('two-a')}---\n${deployment('two-b')}`,
      '3-bad.json': '{\n  "kind": "Pod",\n  oops\n}',
      '4-list.json': JSON.stringify({
        kind: 'List',
        apiVersion: 'v1',
        items: [
          { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'l' } },
        ],
      }),
      '5-broken.yaml': 'kind: [unclosed\n',
    });
    const snapshot = await readWithSmallLimit();
    expect(snapshot.objects.map(o => o.metadata.name)).toEqual([
      'two-a',
      'two-b',
      'l',
    ]);
    expect(snapshot.objects.map(o => snapshot.locations!.get(o))).toEqual([
      { file: '2-two.yaml', line: 1 },
      { file: '2-two.yaml', line: 12 },
      { file: '4-list.json', line: 1 },
    ]);
    expect(snapshot.errors.map(e => e.file)).toEqual([
      '1-big.yaml',
      '3-bad.json',
      '5-broken.yaml',
    ]);
  });

  it('reads a file of exactly the limit, and refuses one byte more', async () => {
    const text = deployment('edge');
    const limit = Buffer.byteLength(text);
    dir.setContent({ 'a/edge.yaml': text, 'b/over.yaml': `${text}\n` });
    const snapshot = await ManifestsSource.create({
      cluster: 'c1',
      paths: [`${dir.path}/a`, `${dir.path}/b`],
      maxFileBytes: limit,
      relativeTo: dir.path,
    }).read();
    expect(snapshot.objects.map(o => o.metadata.name)).toEqual(['edge']);
    expect(snapshot.errors).toEqual([
      {
        file: 'b/over.yaml',
        line: 1,
        message: `refused: ${limit + 1} bytes is over the ${limit}-byte limit`,
      },
    ]);
  });

  // A file whose size says 0 until it is read (Linux's procfs), as a file
  // that grows after its size was taken: read to its end, the limit applied.
  it('reads a file to its end whatever its size said, never past the limit', async () => {
    const procFile = '/proc/self/status';
    expect(fs.statSync(procFile).size).toBe(0);
    const read = (maxFileBytes: number) =>
      ManifestsSource.create({
        cluster: 'c1',
        paths: [procFile],
        maxFileBytes,
      }).read();
    // Read whole: not a manifest, and said so (so it was read, not empty).
    const whole = await read(1024 * 1024);
    expect(whole.errors).toHaveLength(1);
    expect(whole.errors[0].message).not.toMatch(/refused/);
    const bounded = await read(64);
    expect(bounded.errors[0].message).toBe(
      'refused: larger than the 64-byte limit',
    );
  });

  it('gives the event loop back between files while it reads', async () => {
    dir.setContent(
      Object.fromEntries(
        Array.from({ length: 20 }, (_, i) => [
          `f${i}.yaml`,
          deployment(`d${i}`),
        ]),
      ),
    );
    const turns = countEventLoopTurns();
    const snapshot = await ManifestsSource.create({
      cluster: 'c1',
      paths: [dir.path],
      sliceMs: 0,
    }).read();
    expect(snapshot.objects).toHaveLength(20);
    expect(await turns.stop()).toBeGreaterThanOrEqual(19);
  });

  it('is unreachable when its directory does not exist, but tolerates a missing optional grants directory', async () => {
    dir.setContent({ 'a.yaml': deployment('a') });
    const missing = await ManifestsSource.create({
      cluster: 'c1',
      paths: [`${dir.path}/nope`],
    }).read();
    expect(missing.status).toBe('unreachable');
    expect(missing.readAt).toBeNull();
    const grants = `${dir.path}/grants`;
    const ok = await ManifestsSource.create({
      cluster: 'c1',
      paths: [dir.path, grants],
      optionalPaths: [grants],
    }).read();
    expect(ok.status).toBe('ok');
    expect(ok.errors).toEqual([]);
  });
});
