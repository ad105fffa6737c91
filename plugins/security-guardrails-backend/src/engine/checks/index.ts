import { CHECK_IDS } from '@internal/backstage-plugin-security-guardrails-common';
import { Check } from '@internal/backstage-plugin-security-guardrails-node';
import { imageChecks } from './images';
import { maintenanceChecks } from './maintenance';
import { networkChecks } from './network';
import { observabilityChecks } from './observability';
import { rbacChecks } from './rbac';
import { resourceChecks } from './resources';
import { responseChecks } from './response';
import { secretChecks } from './secrets';
import { securityContextChecks } from './securityContext';

const all = [
  ...securityContextChecks,
  ...imageChecks,
  ...secretChecks,
  ...resourceChecks,
  ...networkChecks,
  ...rbacChecks,
  ...observabilityChecks,
  ...responseChecks,
  ...maintenanceChecks,
];

/** The built-in checks, in the order of the catalogue's stable ids. */
export const BUILTIN_CHECKS: Check[] = CHECK_IDS.map(id => {
  const check = all.find(c => c.meta.id === id);
  if (!check) {
    throw new Error(`Check ${id} is in the catalogue but not implemented`);
  }
  return check;
});
