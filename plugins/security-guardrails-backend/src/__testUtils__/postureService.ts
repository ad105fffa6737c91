/*
 * A PostureService for tests: the built-in checks, no exemptions, 180 days
 * of history and a 30 s refresh interval unless a test says otherwise.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { BUILTIN_CHECKS } from '../engine';
import {
  PostureService,
  PostureServiceOptions,
} from '../posture/PostureService';

export function testPostureService(
  options: Pick<PostureServiceOptions, 'sources' | 'catalog' | 'store'> &
    Partial<PostureServiceOptions>,
): PostureService {
  return PostureService.create({
    logger: mockServices.logger.mock(),
    checks: BUILTIN_CHECKS,
    settings: {},
    annotationExemptions: true,
    disabledChecks: [],
    exemptions: async () => [],
    historyRetentionDays: 180,
    refreshIntervalMs: 30_000,
    ...options,
  });
}
