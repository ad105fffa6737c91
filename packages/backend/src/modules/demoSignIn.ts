/*
 * Demo-only sign-in: act as one of the personas listed in
 * `demoSignIn.personas` (with provider `demo`), so the demo can show a request
 * by one person approved by another. Like the guest provider, it refuses to
 * work outside development unless explicitly allowed.
 *
 * When `auth.environment` is production the backend refuses to start while
 * any demo sign-in is configured (the guest provider, this provider, demo
 * personas): app-config.production.yaml turns them off with `null`, the one
 * way a later config file removes a key an earlier one set.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

export const DEMO_USER_HEADER = 'x-demo-user';

/** What makes sign-in a demo's in this config; empty outside production. */
export function demoSignInInProduction(config: Config): string[] {
  if (config.getOptionalString('auth.environment') !== 'production') return [];
  const problems: string[] = [];
  for (const provider of ['guest', 'demo']) {
    if (config.has(`auth.providers.${provider}`)) {
      problems.push(`auth.providers.${provider} is configured`);
    }
  }
  if ((config.getOptionalConfigArray('demoSignIn.personas') ?? []).length) {
    problems.push('demoSignIn.personas is not empty');
  }
  return problems;
}

export const authModuleDemoPersonasProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-personas-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ providers, config }) {
        const problems = demoSignInInProduction(config);
        if (problems.length) {
          throw new Error(
            `Demo sign-in must not run when auth.environment is production: ${problems.join(
              '; ',
            )}. Set them to null in the production config (as app-config.production.yaml does) and configure your identity provider.`,
          );
        }
        const allowed = new Set(
          (config.getOptionalConfigArray('demoSignIn.personas') ?? [])
            .filter(p => p.getString('provider') === 'demo')
            .map(p => p.getString('userEntityRef')),
        );
        const authenticator = createProxyAuthenticator({
          defaultProfileTransform: async (result: {
            userEntityRef: string;
          }) => ({
            profile: { displayName: result.userEntityRef },
          }),
          initialize({ config: providerConfig }) {
            const outsideDev = process.env.NODE_ENV !== 'development';
            return {
              disabled:
                outsideDev &&
                providerConfig.getOptionalBoolean(
                  'dangerouslyAllowOutsideDevelopment',
                ) !== true,
            };
          },
          async authenticate({ req }, ctx) {
            if (ctx.disabled) {
              throw new NotAllowedError(
                "The demo personas provider only works in development unless 'auth.providers.demo.dangerouslyAllowOutsideDevelopment' is set",
              );
            }
            const user = req.header(DEMO_USER_HEADER);
            if (!user || !allowed.has(user)) {
              throw new NotAllowedError(
                `Header ${DEMO_USER_HEADER} must name one of the demo personas (demoSignIn.personas with provider demo)`,
              );
            }
            return { result: { userEntityRef: user } };
          },
        });
        providers.registerProvider({
          providerId: 'demo',
          factory: createProxyAuthProviderFactory({
            authenticator,
            async signInResolver({ result }, ctx) {
              return ctx.signInWithCatalogUser({
                entityRef: result.userEntityRef,
              });
            },
          }),
        });
      },
    });
  },
});
