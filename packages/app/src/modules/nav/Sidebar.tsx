import { useEffect, useState } from 'react';
import {
  Sidebar,
  SidebarDivider,
  SidebarGroup,
  SidebarItem,
  SidebarScrollWrapper,
  SidebarSpace,
} from '@backstage/core-components';
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
import { useLocation } from 'react-router-dom';
import { PERSONA_STORAGE_KEY, rememberReturnPath } from '../signIn';
import { SidebarLogo } from './SidebarLogo';

/** Who is signed in, always in view: the persona's title, else the profile's name, else the ref. */
function SignedInAsItem() {
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
    <SidebarItem
      icon={AccountCircleIcon}
      text={who.name}
      to="/settings"
      aria-label={`Signed in as ${who.name} (${who.ref})`}
    />
  );
}

/** Signs out and back to the persona picker, which returns to this page once signed in. */
function SwitchDemoUserItem() {
  const identityApi = useApi(identityApiRef);
  const location = useLocation();
  return (
    <SidebarItem
      icon={SwapHorizIcon}
      text="Switch demo user"
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
