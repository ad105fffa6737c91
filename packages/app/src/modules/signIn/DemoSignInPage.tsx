import { useState } from 'react';
import {
  Box,
  Button,
  Card,
  CardActions,
  CardContent,
  Grid,
  Typography,
} from '@material-ui/core';
import {
  Content,
  Header,
  Page,
  ProxiedSignInPage,
} from '@backstage/core-components';
import {
  ConfigApi,
  configApiRef,
  SignInPageProps,
  useApi,
} from '@backstage/core-plugin-api';
import { useNavigate } from 'react-router-dom';

/** Where the chosen persona is remembered between page loads. */
export const PERSONA_STORAGE_KEY = 'security-guardrails-demo:persona';

/** Where "Switch user" keeps the page to come back to once signed in again. */
const RETURN_PATH_KEY = 'security-guardrails-demo:return-to';

/** Keeps the page one switches user from (a path of this app), for after sign-in. */
export function rememberReturnPath(path: string) {
  try {
    window.sessionStorage.setItem(RETURN_PATH_KEY, path);
  } catch {
    // Storage refused (private mode): one lands on the home page instead.
  }
}

function takeReturnPath(): string | undefined {
  try {
    const path = window.sessionStorage.getItem(RETURN_PATH_KEY);
    window.sessionStorage.removeItem(RETURN_PATH_KEY);
    // Only a path of this app, never another origin ("//evil", "https:").
    return path && path.startsWith('/') && !path.startsWith('//')
      ? path
      : undefined;
  } catch {
    return undefined;
  }
}

export interface Persona {
  provider: 'guest' | 'demo';
  userEntityRef: string;
  title: string;
  description?: string;
}

function readPersonas(config: ConfigApi): Persona[] {
  return (config.getOptionalConfigArray('demoSignIn.personas') ?? []).map(
    p => ({
      provider: p.getString('provider') === 'demo' ? 'demo' : 'guest',
      userEntityRef: p.getString('userEntityRef'),
      title: p.getString('title'),
      description: p.getOptionalString('description'),
    }),
  );
}

function remembered(personas: Persona[]): Persona | undefined {
  try {
    const ref = window.localStorage.getItem(PERSONA_STORAGE_KEY);
    return personas.find(p => p.userEntityRef === ref);
  } catch {
    return undefined;
  }
}

/**
 * The demo's sign-in: pick who to be. The guest provider signs in as its
 * configured user; the demo personas provider signs in as the chosen one, so
 * a request can be made by one person and approved by another.
 */
export function DemoSignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
  const navigate = useNavigate();
  const personas = readPersonas(config);
  const [chosen, setChosen] = useState<Persona | undefined>(() =>
    remembered(personas),
  );

  if (chosen) {
    return (
      <ProxiedSignInPage
        {...props}
        onSignInSuccess={identity => {
          props.onSignInSuccess(identity);
          const back = takeReturnPath();
          if (back) navigate(back, { replace: true });
        }}
        provider={chosen.provider}
        headers={
          chosen.provider === 'demo'
            ? { 'x-demo-user': chosen.userEntityRef }
            : undefined
        }
        ErrorComponent={({ error }) => (
          <Box p={4}>
            <Typography variant="h6">
              Could not sign in as {chosen.title}
            </Typography>
            <Typography variant="body2" paragraph>
              {error?.message ?? 'Unknown error'}
            </Typography>
            <Button
              variant="outlined"
              onClick={() => {
                window.localStorage.removeItem(PERSONA_STORAGE_KEY);
                setChosen(undefined);
              }}
            >
              Choose someone else
            </Button>
          </Box>
        )}
      />
    );
  }

  return (
    <Page themeId="home">
      <Header
        title="Security Guardrails"
        subtitle="Demo portal: choose who you are"
      />
      <Content>
        <Typography variant="body1" paragraph>
          This demo has a small organisation. Sign in as a developer to see your
          service's posture and request temporary access, then switch to a
          security lead with Switch user at the bottom of the sidebar to approve
          it: you come back to the page you were on. The sidebar always shows
          who you are signed in as.
        </Typography>
        <Grid container spacing={3}>
          {personas.map(p => (
            <Grid item xs={12} sm={6} md={4} key={p.userEntityRef}>
              <Card variant="outlined">
                <CardContent>
                  <Typography variant="h6" component="h2">
                    {p.title}
                  </Typography>
                  <Typography variant="body2" color="textSecondary">
                    {p.description}
                  </Typography>
                  <Typography variant="caption" color="textSecondary">
                    {p.userEntityRef} ·{' '}
                    {p.provider === 'guest'
                      ? 'guest provider'
                      : 'demo personas provider'}
                  </Typography>
                </CardContent>
                <CardActions>
                  <Button
                    color="primary"
                    variant="contained"
                    aria-label={`Sign in as ${p.title}`}
                    onClick={() => {
                      window.localStorage.setItem(
                        PERSONA_STORAGE_KEY,
                        p.userEntityRef,
                      );
                      setChosen(p);
                    }}
                  >
                    Sign in as {p.title.split(' ')[0]}
                  </Button>
                </CardActions>
              </Card>
            </Grid>
          ))}
        </Grid>
      </Content>
    </Page>
  );
}
