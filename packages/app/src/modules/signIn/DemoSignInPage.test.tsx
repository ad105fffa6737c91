import { fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { configApiRef } from '@backstage/core-plugin-api';
import { mockApis, TestApiProvider } from '@backstage/frontend-test-utils';
import { themes, UnifiedThemeProvider } from '@backstage/theme';
import {
  DemoSignInPage,
  PERSONA_STORAGE_KEY,
  rememberReturnPath,
} from './DemoSignInPage';

// The real page signs in against the auth backend; here it succeeds at once.
jest.mock('@backstage/core-components', () => ({
  ...jest.requireActual('@backstage/core-components'),
  ProxiedSignInPage: (props: { onSignInSuccess: (i: unknown) => void }) => (
    <button onClick={() => props.onSignInSuccess({})}>complete sign-in</button>
  ),
}));

function Where() {
  const location = useLocation();
  return <p data-testid="where">{location.pathname + location.search}</p>;
}

function renderAt(path: string) {
  const onSignInSuccess = jest.fn();
  const config = mockApis.config({
    data: {
      demoSignIn: {
        personas: [
          {
            provider: 'guest',
            userEntityRef: 'user:default/dana',
            title: 'Dana Developer',
          },
          {
            provider: 'demo',
            userEntityRef: 'user:default/sam',
            title: 'Sam Security',
          },
        ],
      },
    },
  });
  render(
    <UnifiedThemeProvider theme={themes.light}>
      <TestApiProvider apis={[[configApiRef, config]]}>
        <MemoryRouter
          initialEntries={[path]}
          future={{ v7_startTransition: true, v7_relativeSplatPath: true }}
        >
          <DemoSignInPage onSignInSuccess={onSignInSuccess} />
          <Routes>
            <Route path="*" element={<Where />} />
          </Routes>
        </MemoryRouter>
      </TestApiProvider>
    </UnifiedThemeProvider>,
  );
  return onSignInSuccess;
}

describe('DemoSignInPage', () => {
  afterEach(() => {
    window.localStorage.clear();
    window.sessionStorage.clear();
  });

  it('says where switching user is, and returns to the page one switched from', () => {
    rememberReturnPath('/catalog/default/component/storefront/security?x=1');
    const onSignInSuccess = renderAt('/');
    expect(
      screen.getByText(/Switch user at the bottom of the sidebar/),
    ).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: 'Sign in as Sam Security' }),
    );
    expect(window.localStorage.getItem(PERSONA_STORAGE_KEY)).toBe(
      'user:default/sam',
    );
    fireEvent.click(screen.getByRole('button', { name: 'complete sign-in' }));
    expect(onSignInSuccess).toHaveBeenCalled();
    expect(screen.getByTestId('where')).toHaveTextContent(
      '/catalog/default/component/storefront/security?x=1',
    );
    // Used once: a later sign-in stays where it is.
    expect(window.sessionStorage.length).toBe(0);
  });

  it('never follows a kept path to another origin', () => {
    rememberReturnPath('//evil.example/phish');
    renderAt('/catalog');
    fireEvent.click(
      screen.getByRole('button', { name: 'Sign in as Dana Developer' }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'complete sign-in' }));
    expect(screen.getByTestId('where')).toHaveTextContent(/^\/catalog$/);
  });
});
