import { useCallback } from 'react';
import { useApiHolder } from '@backstage/core-plugin-api';
import { notificationsApiRef } from '@backstage/plugin-notifications';

/**
 * Marks one's unread notifications about a request as read (they carry the
 * scope `request:<id>`), so the badge clears once one has decided it. A
 * portal without the notifications plugin has nothing to clear; a failure
 * to clear is not the decision's failure.
 */
export function useClearRequestNotifications() {
  const notificationsApi = useApiHolder().get(notificationsApiRef);
  return useCallback(
    async (requestId: string) => {
      if (!notificationsApi) return;
      try {
        const { notifications } = await notificationsApi.getNotifications({
          topic: 'security-guardrails',
          read: false,
          limit: 100,
        });
        const ids = notifications
          .filter(n => n.payload.scope === `request:${requestId}`)
          .map(n => n.id);
        if (ids.length) {
          await notificationsApi.updateNotifications({ ids, read: true });
        }
      } catch {
        // The badge stays until read by hand.
      }
    },
    [notificationsApi],
  );
}
