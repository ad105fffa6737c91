import { AnswerCache, CachedAnswer } from './AnswerCache';

const answer = (text: string, bytes = 100): CachedAnswer => ({
  gzip: Buffer.alloc(bytes, text),
  etag: `W/"${text}"`,
});

/** A cache over a version the test moves, with a clock the test moves. */
function setup(options: { maxBytes?: number; maxStalenessMs?: number } = {}) {
  const state = { version: 'v1', versionReads: 0, now: 0 };
  const cache = new AnswerCache({
    maxBytes: options.maxBytes ?? 10_000,
    maxStalenessMs: options.maxStalenessMs ?? 1000,
    readVersion: async () => {
      state.versionReads++;
      return state.version;
    },
    now: () => state.now,
  });
  const loads: string[] = [];
  const load = (ref: string, value?: CachedAnswer) => () => {
    loads.push(ref);
    return Promise.resolve(value);
  };
  return { cache, state, loads, load };
}

describe('AnswerCache', () => {
  it('answers from memory once loaded, checking the version at most once per interval', async () => {
    const { cache, state, loads, load } = setup();
    const a = answer('a');
    expect(await cache.get('a', load('a', a))).toBe(a);
    expect(await cache.get('a', load('a', answer('other')))).toBe(a);
    state.now = 999;
    expect(await cache.get('a', load('a', answer('other')))).toBe(a);
    expect(loads).toEqual(['a']);
    expect(state.versionReads).toBe(1);
    // Past the interval the version is read again; unchanged, memory serves.
    state.now = 1000;
    expect(await cache.get('a', load('a', answer('other')))).toBe(a);
    expect(state.versionReads).toBe(2);
    expect(loads).toEqual(['a']);
  });

  it('reads the version once for requests arriving together', async () => {
    const { cache, state, load } = setup();
    await Promise.all(
      ['a', 'b', 'c'].map(ref => cache.get(ref, load(ref, answer(ref)))),
    );
    expect(state.versionReads).toBe(1);
  });

  it('empties when another replica changed the version', async () => {
    const { cache, state, loads, load } = setup();
    await cache.get('a', load('a', answer('old')));
    state.version = 'v2';
    state.now = 1000;
    const fresh = answer('new');
    expect(await cache.get('a', load('a', fresh))).toBe(fresh);
    expect(loads).toEqual(['a', 'a']);
  });

  it('takes its own write when it follows the version held, and stays on it', async () => {
    const { cache, state, loads, load } = setup();
    await cache.get('a', load('a', answer('a')));
    await cache.get('b', load('b', answer('b')));
    const written = answer('a2');
    cache.wrote({
      previous: 'v1',
      current: 'v2',
      answers: new Map([
        ['a', written],
        ['b', undefined],
      ]),
    });
    state.version = 'v2';
    state.now = 5000;
    expect(await cache.get('a', load('a', answer('db')))).toBe(written);
    // `b` has no answer to keep: read from the database.
    await cache.get('b', load('b', answer('b2')));
    expect(loads).toEqual(['a', 'b', 'b']);
  });

  it('empties on its own write when another write came between', async () => {
    const { cache, state, loads, load } = setup({ maxStalenessMs: 60_000 });
    await cache.get('a', load('a', answer('a')));
    await cache.get('b', load('b', answer('b')));
    // Another replica wrote v2 (changing `b`), then this one v3 over it.
    state.version = 'v3';
    cache.wrote({
      previous: 'v2',
      current: 'v3',
      answers: new Map([['a', answer('a3')]]),
    });
    const b = answer('b2');
    expect(await cache.get('b', load('b', b))).toBe(b);
    // The version was read again at once, whatever the interval.
    expect(state.versionReads).toBe(2);
    // What this replica wrote is kept.
    expect((await cache.get('a', load('a')))!.etag).toBe('W/"a3"');
    expect(loads).toEqual(['a', 'b', 'b']);
  });

  it('keeps what it writes from the start, as a full refresh does', async () => {
    const { cache, state, loads, load } = setup();
    state.version = 'v3';
    cache.wrote({
      previous: 'v1',
      current: 'v2',
      answers: new Map([['a', answer('a')]]),
    });
    cache.wrote({
      previous: 'v2',
      current: 'v3',
      answers: new Map([['b', answer('b')]]),
    });
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    expect(loads).toEqual([]);
    expect(state.versionReads).toBe(1);
    // Another replica writes after this one's next write: at the next check
    // everything is read again.
    cache.wrote({
      previous: 'v3',
      current: 'v4',
      answers: new Map([['c', answer('c')]]),
    });
    state.version = 'v5';
    state.now = 1000;
    await cache.get('a', load('a', answer('a5')));
    await cache.get('c', load('c', answer('c5')));
    expect(loads).toEqual(['a', 'c']);
  });

  it('does not trust the first version ever written to follow its own', async () => {
    const { cache, state, load } = setup({ maxStalenessMs: 60_000 });
    state.version = '';
    await cache.get('a', load('a', undefined));
    cache.wrote({ previous: '', current: 'v1', answers: new Map() });
    state.version = 'v1';
    await cache.get('a', load('a', undefined));
    expect(state.versionReads).toBe(2);
  });

  it('does not keep a load that a write overtook', async () => {
    const { cache, state, loads } = setup();
    await cache.get('x', () => Promise.resolve(answer('x')));
    let finish: (v: CachedAnswer) => void = () => {};
    const slow = cache.get(
      'a',
      () => new Promise<CachedAnswer>(resolve => (finish = resolve)),
    );
    await new Promise(r => setImmediate(r));
    // The write commits while the read of the older row is in flight.
    cache.wrote({ previous: 'v1', current: 'v2', answers: new Map() });
    state.version = 'v2';
    finish(answer('before the write'));
    await slow;
    const after = answer('after');
    expect(
      await cache.get('a', () => {
        loads.push('a');
        return Promise.resolve(after);
      }),
    ).toBe(after);
    expect(loads).toEqual(['a']);
  });

  it('does not keep a load that a version change overtook', async () => {
    const { cache, state } = setup();
    let finish: (v: CachedAnswer) => void = () => {};
    const slow = cache.get(
      'a',
      () => new Promise<CachedAnswer>(resolve => (finish = resolve)),
    );
    await new Promise(r => setImmediate(r));
    state.version = 'v2';
    state.now = 1000;
    const fresh = answer('fresh');
    expect(await cache.get('b', () => Promise.resolve(fresh))).toBe(fresh);
    finish(answer('stale'));
    await slow;
    const reloaded = answer('reloaded');
    expect(await cache.get('a', () => Promise.resolve(reloaded))).toBe(
      reloaded,
    );
  });

  it('keeps the most recently used answers within its size', async () => {
    // Each entry costs 1,000 bytes and its overhead: three fit.
    const { cache, loads, load } = setup({ maxBytes: 3700 });
    for (const ref of ['a', 'b', 'c']) {
      await cache.get(ref, load(ref, answer(ref, 1000)));
    }
    await cache.get('a', load('a'));
    await cache.get('d', load('d', answer('d', 1000)));
    expect(cache.size).toBe(3);
    expect(cache.bytes).toBeLessThanOrEqual(3700);
    // `b` was the least recently used.
    await cache.get('b', load('b', answer('b', 1000)));
    await cache.get('a', load('a'));
    expect(loads).toEqual(['a', 'b', 'c', 'd', 'b']);
  });

  it('does not keep an answer larger than its size, nor a missing one', async () => {
    const { cache, loads, load } = setup({ maxBytes: 500 });
    await cache.get('big', load('big', answer('big', 1000)));
    await cache.get('big', load('big', answer('big', 1000)));
    await cache.get('none', load('none'));
    await cache.get('none', load('none'));
    expect(loads).toEqual(['big', 'big', 'none', 'none']);
    expect(cache.bytes).toBe(0);
  });
});
