/*
 * Findings per container of a workload: init and ephemeral containers
 * count, as they run on the same node.
 */
import {
  Finding,
  Workload,
} from '@internal/backstage-plugin-security-guardrails-node';

export function perContainer(
  workload: Workload,
  evaluate: (
    info: Workload['containers'][number],
  ) => Omit<Finding, 'container'>,
): Finding[] {
  return workload.containers.map(info => ({
    ...evaluate(info),
    container: info.container.name,
  }));
}
