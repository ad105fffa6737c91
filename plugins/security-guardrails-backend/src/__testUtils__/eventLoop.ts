import { setImmediate } from 'node:timers/promises';

/**
 * Counts turns of the event loop while work runs: `stop()` ends the count
 * and says how many turns other code got. Work that never gives the loop
 * back leaves it at zero.
 */
export function countEventLoopTurns(): { stop(): Promise<number> } {
  let turns = 0;
  let stopped = false;
  const ticker = (async () => {
    while (!stopped) {
      await setImmediate();
      turns++;
    }
  })();
  return {
    async stop() {
      // The turns up to now; the ticker's last one, to let it end, is not counted.
      const counted = turns;
      stopped = true;
      await ticker;
      return counted;
    },
  };
}
