import { locateJsonError } from './jsonError';
import { parseJsonManifest } from './parseManifests';

describe('locateJsonError', () => {
  it.each([
    [
      '{\n  "kind": "Pod",\n  oops\n}',
      3,
      3,
      'a property name in double quotes',
    ],
    ['{"a": 1,}', 1, 9, 'a property name in double quotes'],
    ['{"a" 1}', 1, 6, "':'"],
    ['[1, 2', 1, 6, "',' or ']'"],
    ['{"a": tru}', 1, 7, 'a value'],
    ['{"a": "x\\q"}', 1, 9, 'a complete string with valid escapes'],
    ['{"a": 1} 2', 1, 10, 'the end of the text'],
    ['', 1, 1, 'a value'],
  ])('%j breaks at %i:%i', (text, line, column, expected) => {
    expect(locateJsonError(text)).toEqual({ line, column, expected });
  });

  it('finds nothing wrong in valid JSON, however deep', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    expect(locateJsonError(deep).expected).toBe(
      'nothing: the text is valid JSON',
    );
  });
});

describe('a JSON manifest that does not parse', () => {
  it('says where, and never quotes what is there', () => {
    const secret = 'hunter2-s3cr3t-value-do-not-print';
    const text = `{\n  "apiVersion": "v1",\n  "kind": "Secret",\n  "stringData": { "password": ${secret} }\n}`;
    const parsed = parseJsonManifest(text, 'leaky.json');
    expect(parsed.errors).toEqual([
      {
        file: 'leaky.json',
        line: 4,
        message: 'invalid JSON at line 4, column 31: expected a value',
      },
    ]);
    expect(JSON.stringify(parsed)).not.toMatch(/hunter2|s3cr3t|print/);
  });
});
