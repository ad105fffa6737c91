import { TRANSITIONS, transitionFor } from './stateMachine';

describe('state machine', () => {
  it('lets access requests move only along the documented paths', () => {
    expect(transitionFor('access', 'pending', 'approved')?.event).toBe(
      'approved',
    );
    expect(transitionFor('access', 'approved', 'active')?.event).toBe(
      'applied',
    );
    expect(transitionFor('access', 'active', 'expired')?.event).toBe('expired');
    expect(transitionFor('access', 'pending', 'active')).toBeUndefined();
    expect(transitionFor('access', 'expired', 'active')).toBeUndefined();
    expect(transitionFor('access', 'denied', 'approved')).toBeUndefined();
    expect(transitionFor('exemption', 'pending', 'active')?.event).toBe(
      'approved',
    );
  });

  it('never leaves a terminal state', () => {
    for (const kind of Object.keys(TRANSITIONS) as Array<
      keyof typeof TRANSITIONS
    >) {
      for (const t of TRANSITIONS[kind]) {
        expect([
          'expired',
          'revoked',
          'denied',
          'cancelled',
          'timed-out',
          'failed',
        ]).not.toContain(t.from);
      }
    }
  });
});
