/*
 * The parts of the Pod API the checks read, typed loosely: objects come from
 * YAML written by people and from live clusters, so every field is optional
 * and checks must tolerate wrong types.
 */
import { ObjectMeta } from './types';

export interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string; localhostProfile?: string };
  appArmorProfile?: { type?: string };
  seLinuxOptions?: {
    type?: string;
    user?: string;
    role?: string;
    level?: string;
  };
  procMount?: string;
  windowsOptions?: { hostProcess?: boolean };
  sysctls?: Array<{ name: string; value?: string }>;
}

export interface Probe {
  [field: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

export interface Container {
  name: string;
  image?: string;
  securityContext?: SecurityContext;
  ports?: Array<{ containerPort?: number; hostPort?: number; name?: string }>;
  env?: EnvVar[];
  resources?: {
    requests?: Record<string, string | number>;
    limits?: Record<string, string | number>;
  };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  volumeMounts?: Array<{
    name: string;
    mountPath?: string;
    readOnly?: boolean;
  }>;
}

export interface Volume {
  name: string;
  hostPath?: { path?: string; type?: string };
  [field: string]: unknown;
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  securityContext?: SecurityContext;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  volumes?: Volume[];
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  affinity?: {
    podAntiAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: Array<{
        topologyKey?: string;
      }>;
      preferredDuringSchedulingIgnoredDuringExecution?: Array<{
        podAffinityTerm?: { topologyKey?: string };
      }>;
    };
  };
  topologySpreadConstraints?: unknown[];
}

export type ContainerRole =
  | 'container'
  | 'initContainer'
  | 'ephemeralContainer';

export interface ContainerInfo {
  container: Container;
  role: ContainerRole;
  /** Path of the container in the owning object, e.g. `spec.template.spec.containers[api]`. */
  path: string;
}

export interface PodTemplate {
  metadata: Partial<ObjectMeta>;
  spec: PodSpec;
  /** Path of the pod spec in the owning object, e.g. `spec.template.spec`. */
  specPath: string;
}

function asArray<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

export function containersOf(template: PodTemplate): ContainerInfo[] {
  const out: ContainerInfo[] = [];
  const add = (list: unknown, role: ContainerRole, field: string) => {
    for (const c of asArray<Container>(list)) {
      if (c && typeof c === 'object') {
        const name = typeof c.name === 'string' ? c.name : '?';
        out.push({
          container: c,
          role,
          path: `${template.specPath}.${field}[${name}]`,
        });
      }
    }
  };
  add(template.spec.initContainers, 'initContainer', 'initContainers');
  add(template.spec.containers, 'container', 'containers');
  add(
    template.spec.ephemeralContainers,
    'ephemeralContainer',
    'ephemeralContainers',
  );
  return out;
}

/** The pod template of a workload kind, or undefined for kinds without one. */
export function podTemplateOf(obj: {
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}): PodTemplate | undefined {
  const spec = obj.spec as Record<string, any> | undefined;
  if (!spec || typeof spec !== 'object') {
    return undefined;
  }
  switch (obj.kind) {
    case 'Pod':
      return {
        metadata: obj.metadata,
        spec: spec as PodSpec,
        specPath: 'spec',
      };
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job': {
      const template = spec.template;
      if (!template || typeof template !== 'object' || !template.spec) {
        return undefined;
      }
      return {
        metadata: template.metadata ?? {},
        spec: template.spec,
        specPath: 'spec.template.spec',
      };
    }
    case 'CronJob': {
      const template = spec.jobTemplate?.spec?.template;
      if (!template || typeof template !== 'object' || !template.spec) {
        return undefined;
      }
      return {
        metadata: template.metadata ?? {},
        spec: template.spec,
        specPath: 'spec.jobTemplate.spec.template.spec',
      };
    }
    default:
      return undefined;
  }
}

/**
 * Effective security context value of a container: the container's setting
 * overrides the pod's, for the fields that exist at both levels.
 */
export function effective<K extends keyof SecurityContext>(
  container: Container,
  pod: PodSpec,
  key: K,
): SecurityContext[K] | undefined {
  const own = container.securityContext?.[key];
  if (own !== undefined && own !== null) {
    return own;
  }
  return pod.securityContext?.[key];
}
