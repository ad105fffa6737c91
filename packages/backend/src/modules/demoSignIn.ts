/*
 * Demo-only sign-in: act as one of the personas listed in
 * `demoSignIn.personas` (with provider `demo`), so the demo can show a request
 * by one person approved by another. Like the guest provider, it refuses to
 * work outside development unless explicitly allowed.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

export const DEMO_USER_HEADER = 'x-demo-user';

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
