import { ManifestsSource } from '../sources/ManifestsSource';
import {
  DEMO_CLUSTER_DIR,
  demoEntities,
  demoGroups,
} from '../__testUtils__/demo';
import { evaluate, evaluateInSlices, evaluationSteps } from './evaluate';
import { countEventLoopTurns } from '../__testUtils__/eventLoop';
import { runSteps, runStepsInSlices, sortInSteps, Steps } from './steps';

describe('steps', () => {
  it('sorts like a stable native sort, at every size around the run length', () => {
    let seed = 3;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (const n of [0, 1, 2, 4095, 4096, 4097, 8192 * 3 + 17]) {
      // Few distinct keys, so ties are many and stability shows.
      const items = Array.from({ length: n }, (_, i) => ({
        k: Math.floor(random() * 50),
        i,
      }));
      const compare = (a: { k: number }, b: { k: number }) => a.k - b.k;
      const expected = [...items].sort(compare);
      expect(runSteps(sortInSteps(items, compare))).toEqual(expected);
      // Input already in order, or in ordered runs out of order (the merge
      // that joins runs after one comparison), stays stable.
      expect(runSteps(sortInSteps(expected, compare))).toEqual(expected);
      // ... and is not copied.
      expect(runSteps(sortInSteps(expected, compare))).toBe(expected);
      const runsReversed = [
        ...expected.slice(Math.floor(n / 2)),
        ...expected.slice(0, Math.floor(n / 2)),
      ];
      expect(runSteps(sortInSteps(runsReversed, compare))).toEqual(
        [...runsReversed].sort(compare),
      );
    }
  });

  it('gives the event loop back between slices, and only when asked', async () => {
    function* work(): Steps<string> {
      for (let i = 0; i < 5; i++) yield;
      return 'done';
    }
    const straight = countEventLoopTurns();
    expect(runSteps(work())).toBe('done');
    expect(await straight.stop()).toBe(0);
    // A slice of 0 ms hands the loop back at every step: the ticker runs in between.
    const sliced = countEventLoopTurns();
    expect(await runStepsInSlices(work(), 0)).toBe('done');
    expect(await sliced.stop()).toBeGreaterThanOrEqual(4);
  });

  it('evaluates the demo the same in slices as straight through', async () => {
    const snapshot = await ManifestsSource.create({
      cluster: 'demo',
      paths: [DEMO_CLUSTER_DIR],
    }).read();
    const options = {
      entities: demoEntities(),
      settings: { knownGroups: demoGroups() },
      now: new Date('2026-11-22T12:00:00Z'),
    };
    const straight = evaluate({ clusters: [snapshot] }, options);
    const sliced = await evaluateInSlices({ clusters: [snapshot] }, options, 0);
    expect(sliced).toEqual(straight);
    expect(straight.results.length).toBeGreaterThan(100);
    // And the evaluation really is in many steps, not one.
    const steps = evaluationSteps({ clusters: [snapshot] }, options);
    let count = 0;
    while (!steps.next().done) count++;
    expect(count).toBeGreaterThan(demoEntities().length);
  });
});
