import { CodeSnippet, EmptyState } from '@backstage/core-components';
import { Typography } from '@material-ui/core';
import { Entity } from '@backstage/catalog-model';
import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
} from '@internal/backstage-plugin-security-guardrails-common';

export function isMapped(entity: Entity): boolean {
  const a = entity.metadata.annotations ?? {};
  return Boolean(
    a[KUBERNETES_ID_ANNOTATION]?.trim() ||
      a[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim(),
  );
}

/** What to do when an entity maps to no Kubernetes objects. */
export function MissingAnnotation(props: { entity: Entity }) {
  const name = props.entity.metadata.name;
  return (
    <EmptyState
      missing="field"
      title="No Kubernetes objects are mapped to this service"
      description={
        <>
          <Typography variant="body2" paragraph>
            Security Guardrails finds a service's workloads the way the
            Kubernetes plugin does. Add the{' '}
            <code>{KUBERNETES_ID_ANNOTATION}</code> annotation to this entity
            and the same label to its Kubernetes objects (or use{' '}
            <code>{KUBERNETES_LABEL_SELECTOR_ANNOTATION}</code>):
          </Typography>
          <CodeSnippet
            language="yaml"
            text={`# catalog-info.yaml
metadata:
  annotations:
    ${KUBERNETES_ID_ANNOTATION}: ${name}
---
# your Deployment (and its Service, NetworkPolicy...)
metadata:
  labels:
    ${KUBERNETES_ID_ANNOTATION}: ${name}
spec:
  template:
    metadata:
      labels:
        ${KUBERNETES_ID_ANNOTATION}: ${name}`}
          />
        </>
      }
    />
  );
}
