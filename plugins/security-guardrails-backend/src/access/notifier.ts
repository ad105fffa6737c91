/*
 * Tells people about requests through the notifications backend, when it is
 * installed: approvers about new requests, requesters about decisions, grants
 * applied, failures and approaching expiry. A failure to notify never fails
 * the request.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { AccessRequest } from '@internal/backstage-plugin-security-guardrails-common';

export interface NotificationSender {
  send(options: {
    recipients: {
      type: 'entity';
      entityRef: string | string[];
      excludeEntityRef?: string | string[];
    };
    payload: {
      title: string;
      description?: string;
      link?: string;
      severity?: 'critical' | 'high' | 'normal' | 'low';
      topic?: string;
      scope?: string;
    };
  }): Promise<void>;
}

function what(r: AccessRequest): string {
  if (r.kind === 'exemption')
    return `an exemption from ${r.checkId} for ${r.entityRef}`;
  if (r.kind === 'extension') return `more time on a grant for ${r.entityRef}`;
  return `${r.role} on ${r.entityRef} (${r.cluster}: ${(
    r.namespaces ?? []
  ).join(', ')})`;
}

function minutes(seconds: number) {
  return seconds >= 3600
    ? `${Math.round((seconds / 3600) * 10) / 10} h`
    : `${Math.round(seconds / 60)} min`;
}

export class AccessNotifier {
  constructor(
    private readonly sender: NotificationSender | undefined,
    private readonly logger: LoggerService,
  ) {}

  async #send(
    entityRef: string | string[],
    payload: Parameters<NotificationSender['send']>[0]['payload'],
    exclude?: string,
  ) {
    if (!this.sender) return;
    const refs = Array.isArray(entityRef) ? entityRef : [entityRef];
    if (refs.length === 0) return;
    try {
      await this.sender.send({
        recipients: {
          type: 'entity',
          entityRef: refs,
          ...(exclude ? { excludeEntityRef: exclude } : {}),
        },
        payload: { topic: 'security-guardrails', ...payload },
      });
    } catch (e) {
      this.logger.warn(
        `Could not send a notification (${payload.title}): ${
          (e as Error).message
        }`,
      );
    }
  }

  requested(r: AccessRequest) {
    return this.#send(
      r.approverGroups,
      {
        title: `${r.requester} requests ${what(r)}`,
        description: `For ${minutes(r.durationSeconds)}: ${r.justification}`,
        link: '/security/approvals',
        severity: 'high',
        scope: `request:${r.id}`,
      },
      r.requester,
    );
  }

  decided(r: AccessRequest, decision: 'approved' | 'denied', by: string) {
    return this.#send(r.requester, {
      title: `Your request for ${what(r)} was ${decision} by ${by}`,
      link: '/security/access',
      severity: decision === 'denied' ? 'normal' : 'high',
      scope: `request:${r.id}`,
    });
  }

  applied(r: AccessRequest) {
    return this.#send(r.requester, {
      title: `Access granted: ${what(r)}, until ${r.expiresAt}`,
      link: '/security/access',
      scope: `request:${r.id}`,
    });
  }

  failed(r: AccessRequest, error: string) {
    return this.#send(r.requester, {
      title: `Applying ${what(r)} failed`,
      description: `${error}. It is retried automatically.`,
      link: '/security/access',
      severity: 'high',
      scope: `request:${r.id}`,
    });
  }

  expiring(r: AccessRequest) {
    return this.#send(r.requester, {
      title: `Your access ends soon: ${what(r)} expires at ${r.expiresAt}`,
      description: 'Extend it from My access if you still need it.',
      link: '/security/access',
      severity: 'normal',
      scope: `request:${r.id}`,
    });
  }

  ended(r: AccessRequest, how: 'expired' | 'revoked' | 'timed-out') {
    return this.#send(r.requester, {
      title: `Your request for ${what(r)} ${
        how === 'timed-out' ? 'timed out waiting for approval' : `was ${how}`
      }`,
      link: '/security/access',
      severity: 'low',
      scope: `request:${r.id}`,
    });
  }
}
