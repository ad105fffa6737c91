/*
 * app-config.production.yaml is safe on its own and layered on the demo's
 * app-config.yaml: no demo sign-in, permissions on, the policy in production
 * mode. Layers are merged by ConfigReader.fromConfigs, as the backend does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { parse } from 'yaml';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import authPlugin from '@backstage/plugin-auth-backend';
import {
  authModuleDemoPersonasProvider,
  demoSignInInProduction,
} from './demoSignIn';
import { readPortalPolicyOptions } from './permissionPolicy';

const root = resolvePackagePath('backend', '../..');
const file = (name: string) => ({
  context: name,
  data: parse(fs.readFileSync(path.join(root, name), 'utf8')),
});
const layered = (...names: string[]) =>
  ConfigReader.fromConfigs(names.map(file));

describe.each([
  ['on its own', ['app-config.production.yaml']],
  [
    'on top of app-config.yaml',
    ['app-config.yaml', 'app-config.production.yaml'],
  ],
])('app-config.production.yaml %s', (_, names) => {
  const config = layered(...names);

  it('has no demo sign-in', () => {
    expect(config.getString('auth.environment')).toBe('production');
    expect(config.getOptionalConfig('auth.providers')?.keys() ?? []).toEqual(
      [],
    );
    expect(demoSignInInProduction(config)).toEqual([]);
  });

  it('seeds no demo history and no demo campaigns', () => {
    expect(
      config.getOptionalNumber('securityGuardrails.demo.seedHistoryDays'),
    ).toBeUndefined();
    expect(
      config.getOptionalBoolean('securityGuardrails.demo.seedCampaigns'),
    ).toBeUndefined();
  });

  it("offers MCP clients only this plugin's read-only actions", () => {
    expect(config.getStringArray('backend.actions.pluginSources')).toEqual([
      'security-guardrails',
    ]);
    expect(config.get('backend.actions.filter.exclude')).toEqual([
      { attributes: { readOnly: false } },
    ]);
  });

  it('turns permissions on with the production policy', () => {
    expect(config.getBoolean('permission.enabled')).toBe(true);
    expect(readPortalPolicyOptions(config)).toMatchObject({
      mode: 'production',
      adminGroups: [],
    });
  });
});

describe('demo sign-in under auth.environment production', () => {
  it('names every demo sign-in left configured', () => {
    const config = ConfigReader.fromConfigs([
      file('app-config.yaml'),
      { context: 'prod', data: { auth: { environment: 'production' } } },
    ]);
    expect(demoSignInInProduction(config)).toEqual([
      'auth.providers.guest is configured',
      'auth.providers.demo is configured',
      'demoSignIn.personas is not empty',
    ]);
  });

  it('is allowed in development', () => {
    expect(demoSignInInProduction(layered('app-config.yaml'))).toEqual([]);
  });
});

describe('the backend with demo sign-in and auth.environment production', () => {
  it('refuses to start, naming what to remove', async () => {
    const config = ConfigReader.fromConfigs([
      file('app-config.yaml'),
      { context: 'prod', data: { auth: { environment: 'production' } } },
    ]).get() as JsonObject;
    await expect(
      startTestBackend({
        features: [
          authPlugin,
          authModuleDemoPersonasProvider,
          mockServices.rootConfig.factory({ data: config }),
        ],
      }),
    ).rejects.toThrow(
      /Demo sign-in must not run when auth.environment is production: auth.providers.guest is configured/,
    );
  });
});
