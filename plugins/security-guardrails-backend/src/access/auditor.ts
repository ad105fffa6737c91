/*
 * The Backstage auditor's record of access: one event per move of a request
 * (requested, approved, applied, extended, ended, failed), with who moved it
 * and what it grants. The store's own audit trail is written with each
 * transition; this is the deployment's shared audit log. A failure to write
 * it is logged and never fails the request.
 */
import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { AccessRequest } from '@internal/backstage-plugin-security-guardrails-common';

export function errorText(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).slice(0, 500);
}

export class AccessAuditor {
  constructor(
    private readonly auditor: AuditorService | undefined,
    private readonly logger: LoggerService,
  ) {}

  async record(
    event: string,
    request: AccessRequest,
    actor: string,
    meta: Record<string, unknown> = {},
    error?: Error,
  ): Promise<void> {
    if (!this.auditor) return;
    try {
      const e = await this.auditor.createEvent({
        eventId: 'access-request',
        severityLevel:
          event === 'failed' || event === 'applied' || event === 'approved'
            ? 'high'
            : 'medium',
        meta: {
          action: event,
          requestId: request.id,
          requestKind: request.kind,
          entityRef: request.entityRef,
          actor,
          ...(request.role
            ? {
                role: request.role,
                cluster: request.cluster ?? null,
                namespaces: request.namespaces ?? [],
              }
            : {}),
          ...(request.checkId ? { checkId: request.checkId } : {}),
          ...meta,
        } as any,
      });
      if (error) await e.fail({ error });
      else await e.success();
    } catch (e) {
      this.logger.warn(`Could not write an auditor event: ${errorText(e)}`);
    }
  }
}
