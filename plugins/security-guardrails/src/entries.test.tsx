/*
 * Both entry points expose the same features: the legacy components from the
 * main entry and the new frontend system's extensions from ./alpha render the
 * same card, tab, group rollup and page against the same API.
 */
import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import {
  createExtensionTester,
  renderInTestApp as renderInNewApp,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { Entity } from '@backstage/catalog-model';
import alphaPlugin from './alpha';
import {
  EntityGroupSecurityCard,
  EntitySystemSecurityCard,
  EntitySecurityCard,
  EntitySecurityContent,
  SecurityGuardrailsPage,
} from './plugin';
import { securityGuardrailsApiRef } from './api';
import { GROUP, mockApi, SERVICE, SYSTEM } from './__testUtils__/fixtures';
import { renderWithApi } from './__testUtils__/render';

const FEATURES: Array<{
  name: string;
  extensionId: string;
  legacy: JSX.Element;
  entity?: Entity;
  expectText: RegExp;
}> = [
  {
    name: 'posture card',
    extensionId: 'entity-card:security-guardrails/posture',
    legacy: <EntitySecurityCard />,
    entity: SERVICE,
    expectText: /Why this grade:/,
  },
  {
    name: 'security tab',
    extensionId: 'entity-content:security-guardrails/security',
    legacy: (
      <Routes>
        <Route path="/*" element={<EntitySecurityContent />} />
      </Routes>
    ),
    entity: SERVICE,
    expectText: /Containers do not run privileged/,
  },
  {
    name: 'group rollup card',
    extensionId: 'entity-card:security-guardrails/group',
    legacy: <EntityGroupSecurityCard />,
    entity: GROUP,
    expectText: /2 services · average score 60/,
  },
  {
    name: 'system rollup card',
    extensionId: 'entity-card:security-guardrails/system',
    legacy: <EntitySystemSecurityCard />,
    entity: SYSTEM,
    expectText: /Security posture of the system's services/,
  },
];

describe('the legacy entry and ./alpha render the same features', () => {
  it.each(FEATURES)('$name from the legacy entry', async feature => {
    await renderWithApi(feature.legacy, {
      api: mockApi(),
      entity: feature.entity,
    });
    expect(
      (await screen.findAllByText(feature.expectText)).length,
    ).toBeGreaterThan(0);
  });

  it.each(FEATURES)('$name from ./alpha', async feature => {
    const extension = alphaPlugin.getExtension(feature.extensionId as any);
    const tester = createExtensionTester(extension as any);
    renderInNewApp(
      <EntityProvider entity={feature.entity!}>
        {tester.reactElement()}
      </EntityProvider>,
      { apis: [[securityGuardrailsApiRef, mockApi()]] },
    );
    expect(
      (await screen.findAllByText(feature.expectText, {}, { timeout: 3000 }))
        .length,
    ).toBeGreaterThan(0);
  });

  it('the Security page from the legacy entry', async () => {
    await renderWithApi(
      <Routes>
        <Route path="/security/*" element={<SecurityGuardrailsPage />} />
      </Routes>,
      { api: mockApi(), path: '/security', mountRoot: false },
    );
    expect(await screen.findByText('Grade distribution')).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Checks' })).toBeInTheDocument();
  });

  it('the Security page from ./alpha, mounted at /security', async () => {
    renderTestApp({
      features: [alphaPlugin],
      initialRouteEntries: ['/security'],
      apis: [[securityGuardrailsApiRef, mockApi()]],
    });
    expect(
      await screen.findByText('Grade distribution', {}, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Checks' })).toBeInTheDocument();
  });
});
