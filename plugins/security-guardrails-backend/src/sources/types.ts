export type { ClusterStateSource } from '@internal/backstage-plugin-security-guardrails-node';
