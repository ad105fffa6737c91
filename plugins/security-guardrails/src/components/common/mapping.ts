import { Entity } from '@backstage/catalog-model';
import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
} from '@internal/backstage-plugin-security-guardrails-common';

/** Whether an entity maps to Kubernetes objects, as the Kubernetes plugin decides. */
export function isMapped(entity: Entity): boolean {
  const a = entity.metadata.annotations ?? {};
  return Boolean(
    a[KUBERNETES_ID_ANNOTATION]?.trim() ||
      a[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim(),
  );
}
