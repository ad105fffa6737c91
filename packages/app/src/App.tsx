import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { catalogModule } from './modules/catalog';
import { navModule } from './modules/nav';
import { signInModule } from './modules/signIn';

// Plugins listed in package.json are discovered (app.packages: all in
// app-config.yaml); Security Guardrails comes in through its ./alpha entry.
export default createApp({
  features: [catalogPlugin, catalogModule, navModule, signInModule],
});
