import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';

const demoSignInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => (await import('./DemoSignInPage')).DemoSignInPage,
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [demoSignInPage],
});

export { PERSONA_STORAGE_KEY, rememberReturnPath } from './DemoSignInPage';
