import { buffered, MappedArray, streamJson } from './streamJson';

const samples: unknown[] = [
  null,
  0,
  'text with "quotes"\nand a newline',
  [],
  {},
  [1, [2, [3, [4, []]]], {}],
  { a: undefined, b: () => 1, c: [undefined, () => 2, null], d: { e: {} } },
  { when: new Date('2026-12-03T10:00:00Z'), nested: { list: [{ x: 1 }] } },
  {
    results: Array.from({ length: 5 }, (_, i) => ({
      id: i,
      resource: { kind: 'Deployment', name: `app-${i}`, namespace: null },
      tags: i % 2 ? [] : ['a', 'b'],
    })),
    summary: { total: 5, byStatus: { pass: 3, fail: 2 } },
  },
];

describe('streamJson', () => {
  it.each([0, 1, 2, 3, 4, 6])(
    'writes what JSON.stringify(value, null, 2) writes, streamed %i levels deep',
    levels => {
      for (const value of samples) {
        expect([...streamJson(value, levels)].join('')).toBe(
          JSON.stringify(value, null, 2),
        );
      }
    },
  );

  it('writes a mapped array as the array it maps to, making each member as it is written', () => {
    const made: number[] = [];
    const value = {
      results: new MappedArray([1, 2, 3], i => {
        made.push(i);
        return { i, square: i * i, none: undefined };
      }),
      empty: new MappedArray([], i => i),
    };
    const expected = JSON.stringify(value, null, 2);
    for (const levels of [1, 2, 3]) {
      made.length = 0;
      // How many members were made when each chunk was written, against how
      // many had started to be written by then.
      const ahead: number[] = [];
      let text = '';
      for (const chunk of streamJson(value, levels)) {
        text += chunk;
        ahead.push(made.length - (text.match(/"i":/g) ?? []).length);
      }
      expect(text).toBe(expected);
      expect(made).toEqual([1, 2, 3]);
      // A member is made as it starts to be written, never earlier (made all
      // at once, the first chunk would find three made and none written).
      expect(Math.max(...ahead)).toBeLessThanOrEqual(1);
    }
  });

  it('writes each member of a streamed array as its own chunk', () => {
    const value = { results: Array.from({ length: 1000 }, (_, i) => ({ i })) };
    const chunks = [...streamJson(value, 2)];
    expect(chunks.length).toBeGreaterThan(1000);
    expect(Math.max(...chunks.map(c => c.length))).toBeLessThan(40);
  });

  it('joins chunks into writes of about the size asked', () => {
    const chunks = Array.from({ length: 100 }, () => 'x'.repeat(30));
    const writes = [...buffered(chunks, 100)];
    expect(writes.join('')).toBe(chunks.join(''));
    expect(writes.every(w => w.length < 130)).toBe(true);
    expect(writes.length).toBe(25);
  });
});
