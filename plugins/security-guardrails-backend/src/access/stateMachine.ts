/*
 * Every state a request can be in and every move between them, in one place.
 * Stores apply moves with compare-and-set, so two replicas can race safely:
 * whoever wins the update does the side effect; the loser moves on.
 */
import {
  AuditEventType,
  RequestKind,
  RequestState,
} from '@internal/backstage-plugin-security-guardrails-common';

export interface Transition {
  from: RequestState;
  to: RequestState;
  /** The audit event the move writes. */
  event: AuditEventType;
}

const T = (
  from: RequestState,
  to: RequestState,
  event: AuditEventType,
): Transition => ({ from, to, event });

/** Moves allowed for each kind of request. */
export const TRANSITIONS: Record<RequestKind, Transition[]> = {
  access: [
    T('pending', 'approved', 'approved'),
    T('pending', 'denied', 'denied'),
    T('pending', 'cancelled', 'cancelled'),
    T('pending', 'timed-out', 'timed-out'),
    T('approved', 'active', 'applied'),
    T('approved', 'failed', 'failed'),
    T('approved', 'revoked', 'revoked'),
    T('active', 'expired', 'expired'),
    T('active', 'revoked', 'revoked'),
  ],
  // Exemptions need no driver: approval makes them count at once.
  exemption: [
    T('pending', 'active', 'approved'),
    T('pending', 'denied', 'denied'),
    T('pending', 'cancelled', 'cancelled'),
    T('pending', 'timed-out', 'timed-out'),
    T('active', 'expired', 'expired'),
    T('active', 'revoked', 'revoked'),
  ],
  // An extension is decided; the parent grant carries the new expiry.
  extension: [
    T('pending', 'approved', 'extended'),
    T('pending', 'denied', 'denied'),
    T('pending', 'cancelled', 'cancelled'),
    T('pending', 'timed-out', 'timed-out'),
  ],
};

export const TERMINAL_STATES: ReadonlySet<RequestState> = new Set([
  'expired',
  'revoked',
  'denied',
  'cancelled',
  'timed-out',
  'failed',
]);

/** States in which a grant holds (or is about to hold) access; they count towards the per-user cap. */
export const HOLDING_STATES: RequestState[] = ['approved', 'active'];

export function transitionFor(
  kind: RequestKind,
  from: RequestState,
  to: RequestState,
): Transition | undefined {
  return TRANSITIONS[kind].find(t => t.from === from && t.to === to);
}

export class InvalidTransitionError extends Error {
  constructor(kind: RequestKind, from: RequestState, to: RequestState) {
    super(`A ${kind} request that is ${from} cannot become ${to}`);
    this.name = 'InvalidTransitionError';
  }
}

export function assertTransition(
  kind: RequestKind,
  from: RequestState,
  to: RequestState,
): Transition {
  const t = transitionFor(kind, from, to);
  if (!t) throw new InvalidTransitionError(kind, from, to);
  return t;
}
