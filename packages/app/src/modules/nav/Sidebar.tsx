import {
  Sidebar,
  SidebarDivider,
  SidebarGroup,
  SidebarItem,
  SidebarScrollWrapper,
  SidebarSpace,
} from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { NavContentBlueprint } from '@backstage/plugin-app-react';
import { NotificationsSidebarItem } from '@backstage/plugin-notifications';
import { UserSettingsSignInAvatar } from '@backstage/plugin-user-settings';
import MenuIcon from '@material-ui/icons/Menu';
import SwapHorizIcon from '@material-ui/icons/SwapHoriz';
import { PERSONA_STORAGE_KEY } from '../signIn';
import { SidebarLogo } from './SidebarLogo';

/** Signs out and back to the persona picker. */
function SwitchDemoUserItem() {
  const identityApi = useApi(identityApiRef);
  return (
    <SidebarItem
      icon={SwapHorizIcon}
      text="Switch demo user"
      onClick={async () => {
        window.localStorage.removeItem(PERSONA_STORAGE_KEY);
        await identityApi.signOut();
        window.location.assign('/');
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
            {nav.take('page:user-settings')}
            <SwitchDemoUserItem />
          </SidebarGroup>
        </Sidebar>
      );
    },
  },
});
