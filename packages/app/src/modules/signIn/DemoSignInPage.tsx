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

/** Where the chosen persona is remembered between page loads. */
export const PERSONA_STORAGE_KEY = 'security-guardrails-demo:persona';

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
  const personas = readPersonas(config);
  const [chosen, setChosen] = useState<Persona | undefined>(() =>
    remembered(personas),
  );

  if (chosen) {
    return (
      <ProxiedSignInPage
        {...props}
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
          security lead (Settings → Switch demo user) to approve it.
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
