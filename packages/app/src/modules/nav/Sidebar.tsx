import { useEffect, useState } from 'react';
import {
  Sidebar,
  SidebarDivider,
  SidebarGroup,
  SidebarItem,
  SidebarScrollWrapper,
  SidebarSpace,
  useSidebarOpenState,
} from '@backstage/core-components';
import { makeStyles, Typography } from '@material-ui/core';
import { Link, useLocation } from 'react-router-dom';
import {
  configApiRef,
  identityApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import { NavContentBlueprint } from '@backstage/plugin-app-react';
import { NotificationsSidebarItem } from '@backstage/plugin-notifications';
import { UserSettingsSignInAvatar } from '@backstage/plugin-user-settings';
import MenuIcon from '@material-ui/icons/Menu';
import SwapHorizIcon from '@material-ui/icons/SwapHoriz';
import AccountCircleIcon from '@material-ui/icons/AccountCircle';
import { PERSONA_STORAGE_KEY, rememberReturnPath } from '../signIn';
import { SidebarLogo } from './SidebarLogo';

/** Who is signed in, always in view: the persona's title, else the profile's name, else the ref. */
const useSignedInStyles = makeStyles(theme => ({
  root: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
    padding: theme.spacing(1, 3),
    color: theme.palette.navigation.color,
    textDecoration: 'none',
    '&:hover, &:focus-visible': {
      color: theme.palette.navigation.selectedColor,
    },
  },
  icon: { fontSize: 20 },
  text: { minWidth: 0, lineHeight: 1.2 },
  // Names wrap at spaces, never mid-word: the sidebar is narrow.
  name: { display: 'block', fontWeight: 'bold', overflowWrap: 'normal' },
}));

function SignedInAsItem() {
  const classes = useSignedInStyles();
  const { isOpen } = useSidebarOpenState();
  const identityApi = useApi(identityApiRef);
  const config = useApi(configApiRef);
  const [who, setWho] = useState<{ name: string; ref: string }>();
  useEffect(() => {
    let current = true;
    Promise.all([
      identityApi.getBackstageIdentity(),
      identityApi.getProfileInfo(),
    ]).then(
      ([identity, profile]) => {
        const persona = (
          config.getOptionalConfigArray('demoSignIn.personas') ?? []
        )
          .find(p => p.getString('userEntityRef') === identity.userEntityRef)
          ?.getString('title');
        if (current) {
          setWho({
            name: persona ?? profile.displayName ?? identity.userEntityRef,
            ref: identity.userEntityRef,
          });
        }
      },
      () => undefined, // Not signed in yet: nothing to show.
    );
    return () => {
      current = false;
    };
  }, [identityApi, config]);
  if (!who) return null;
  return (
    <Link
      to="/settings"
      className={classes.root}
      aria-label={`Signed in as ${who.name} (${who.ref})`}
      title={`Signed in as ${who.name} (${who.ref})`}
    >
      <AccountCircleIcon className={classes.icon} />
      {isOpen && (
        <span className={classes.text}>
          <Typography variant="caption" component="span" display="block">
            Signed in as
          </Typography>
          <Typography variant="body2" component="span" className={classes.name}>
            {who.name}
          </Typography>
        </span>
      )}
    </Link>
  );
}

/** Signs out and back to the persona picker, which returns to this page once signed in. */
function SwitchDemoUserItem() {
  const identityApi = useApi(identityApiRef);
  const location = useLocation();
  return (
    <SidebarItem
      icon={SwapHorizIcon}
      text="Switch user"
      onClick={async () => {
        window.localStorage.removeItem(PERSONA_STORAGE_KEY);
        rememberReturnPath(
          `${location.pathname}${location.search}${location.hash}`,
        );
        await identityApi.signOut();
      }}
    />
  );
}

export const SidebarContent = NavContentBlueprint.make({
  params: {
    component: ({ navItems }) => {
      const nav = navItems.withComponent(item => (
        <SidebarItem icon={() => item.icon} to={item.href} text={item.title} />
      ));

      nav.take('page:notifications'); // NotificationsSidebarItem below instead

      return (
        <Sidebar>
          <SidebarLogo />
          <SidebarDivider />
          <SidebarGroup label="Menu" icon={<MenuIcon />}>
            {nav.take('page:catalog')}
            {nav.take('page:security-guardrails')}
            <SidebarDivider />
            <SidebarScrollWrapper>
              {nav.rest({ sortBy: 'title' })}
            </SidebarScrollWrapper>
          </SidebarGroup>
          <SidebarSpace />
          <SidebarDivider />
          <NotificationsSidebarItem />
          <SidebarDivider />
          <SidebarGroup
            label="Settings"
            icon={<UserSettingsSignInAvatar />}
            to="/settings"
          >
            <SignedInAsItem />
            {nav.take('page:user-settings')}
            <SwitchDemoUserItem />
          </SidebarGroup>
        </Sidebar>
      );
    },
  },
});
