/*
 * What a process-test scenario is given, and what it returns: nothing when it
 * ran (a broken expectation throws), or the reason it cannot run here.
 */
export interface ScenarioContext {
  /** A directory of its own for state (databases, grants). */
  work: string;
  /** Where backend logs and configs go (artifacts/process/). */
  artifacts: string;
  log: (message: string) => void;
}

export interface Scenario {
  name: string;
  /** One line on what it shows. */
  description: string;
  /** Resolves to a reason when the scenario cannot run on this machine. */
  run(context: ScenarioContext): Promise<string | void>;
}
