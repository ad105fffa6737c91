/*
 * img.*: where images come from and whether they are pinned.
 */
import {
  Check,
  fail,
  notApplicable,
  pass,
  show,
  warn,
} from '@internal/backstage-plugin-security-guardrails-node';

export interface ImageRef {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parses an image reference the way container runtimes resolve it. */
export function parseImage(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const lastSegment = rest.slice(slash + 1);
  let tag: string | undefined;
  const colon = lastSegment.lastIndexOf(':');
  if (colon >= 0) {
    tag = lastSegment.slice(colon + 1);
    rest = rest.slice(0, slash + 1 + colon);
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  if (
    parts.length > 1 &&
    (parts[0].includes('.') ||
      parts[0].includes(':') ||
      parts[0] === 'localhost')
  ) {
    registry = parts.shift()!;
  }
  let repository = parts.join('/');
  if (registry === 'docker.io' && parts.length === 1) {
    repository = `library/${repository}`;
  }
  return { registry, repository, tag: tag || undefined, digest };
}

export const tagPinned: Check = {
  meta: {
    id: 'img.tag-pinned',
    title: 'Images are pinned',
    domain: 'implementation',
    severity: 'high',
    rationale:
      'An image without a tag, or tagged `latest`, changes under you: rollbacks and audits cannot say what ran. A digest pins the exact bytes; a version tag is the minimum.',
    references: [
      'Polaris tagNotSpecified',
      'kube-score container-image-tag',
      'KSV013',
    ],
    remediation: `Reference a version tag, and better, the digest your pipeline built and scanned.

\`\`\`yaml
containers:
  - name: app
    image: ghcr.io/acme/checkout:1.14.2@sha256:4c1e...e9a1
    imagePullPolicy: IfNotPresent
\`\`\``,
  },
  workload: w =>
    w.containers.map(({ container, path }) => {
      const field = `${path}.image`;
      const base = {
        container: container.name,
        field,
        observed: show(container.image),
      };
      if (typeof container.image !== 'string' || !container.image.trim()) {
        return fail('No image is set.', base);
      }
      const ref = parseImage(container.image);
      if (ref.digest) {
        return pass('Pinned by digest.', base);
      }
      if (!ref.tag) {
        return fail(
          'No tag: the runtime pulls `latest`, whatever that is today.',
          base,
        );
      }
      if (ref.tag === 'latest') {
        return fail(
          'Tagged `latest`: what runs changes without a deploy.',
          base,
        );
      }
      return pass(
        `Pinned to tag ${ref.tag} (a digest would pin the exact image).`,
        base,
      );
    }),
};

export const registryAllowed: Check = {
  meta: {
    id: 'img.registry-allowed',
    title: 'Images come from allowed registries',
    domain: 'implementation',
    severity: 'medium',
    rationale:
      'Images from arbitrary registries skip your build, signing and scanning pipeline. The allow-list is set in `securityGuardrails.checks.allowedRegistries`; with none set the check is off.',
    references: ['Kubescape C-0078', 'Kyverno restrict-image-registries'],
    remediation: `Build or mirror the image into an allowed registry and reference it from there.

\`\`\`yaml
containers:
  - name: app
    image: registry.internal.example.com/mirror/nginx:1.27.2
\`\`\``,
  },
  workload: (w, ctx) => {
    const allowed = ctx.settings.allowedRegistries;
    return w.containers.map(({ container, path }) => {
      const field = `${path}.image`;
      const base = {
        container: container.name,
        field,
        observed: show(container.image),
      };
      if (allowed.length === 0) {
        return notApplicable('No registry allow-list is configured.', base);
      }
      if (typeof container.image !== 'string' || !container.image.trim()) {
        return warn('No image is set.', base);
      }
      const ref = parseImage(container.image);
      const full = `${ref.registry}/${ref.repository}`;
      const ok = allowed.some(a => {
        const prefix = a.replace(/\/+$/, '');
        return (
          full === prefix ||
          full.startsWith(`${prefix}/`) ||
          ref.registry === prefix
        );
      });
      return ok
        ? pass(`Registry ${ref.registry} is allowed.`, base)
        : fail(
            `Registry ${ref.registry} is not in the allow-list (${allowed.join(
              ', ',
            )}).`,
            base,
          );
    });
  },
};

export const imageChecks: Check[] = [tagPinned, registryAllowed];
