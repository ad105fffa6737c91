import { failingChecksLabel, failureCounts, failureLabel } from './failures';

const r = (
  checkId: string,
  status: 'pass' | 'fail' | 'warn' | 'exempt' | 'not-applicable',
  severity: 'critical' | 'high' | 'medium' | 'low',
) => ({ checkId, status, severity });

describe('failureCounts', () => {
  it('counts failing checks by id and failing results apart', () => {
    const counts = failureCounts([
      r('sc.privileged', 'fail', 'critical'),
      r('sc.privileged', 'fail', 'critical'),
      r('sc.host-path', 'fail', 'high'),
      r('sc.host-path', 'fail', 'critical'),
      r('sc.non-root', 'warn', 'high'),
      r('sc.readonly-rootfs', 'exempt', 'medium'),
      r('probe.readiness', 'pass', 'medium'),
    ]);
    expect(counts).toEqual({
      checkIds: ['sc.host-path', 'sc.privileged'],
      // sc.host-path counts under the most severe of its failing results.
      checksBySeverity: { critical: 2, high: 0, medium: 0, low: 0 },
      results: 4,
      resultsBySeverity: { critical: 3, high: 1, medium: 0, low: 0 },
    });
    expect(failureLabel(counts)).toBe('2 failing checks (4 failing results)');
  });

  it('says when nothing fails, and uses the singular for one', () => {
    expect(failureLabel(failureCounts([r('a', 'warn', 'low')]))).toBe(
      'No failing checks',
    );
    expect(failureLabel(failureCounts([r('a', 'fail', 'low')]))).toBe(
      '1 failing check (1 failing result)',
    );
    expect(failingChecksLabel(0)).toBe('0 failing checks');
  });
});
