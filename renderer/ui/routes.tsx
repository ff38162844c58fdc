// The navigation, as a table: each screen is one entry. A new area (the DNEC provider,
// consumer, validator and message screens) adds its entries here, in a group of its own, and
// the shell's menu, titles and routing follow; nothing else needs to change.
import type { ReactElement } from 'react';
import type { MessageKey } from '../i18n/i18n.ts';
import { useApp } from './context.tsx';
import { ContactsScreen } from './screens/Contacts.tsx';
import { ExplorerScreen } from './screens/Explorer.tsx';
import { HistoryScreen } from './screens/History.tsx';
import { KeyManagerScreen } from './screens/KeyManager.tsx';
import { NetworkScreen } from './screens/NetworkScreen.tsx';
import { NetworkSetup } from './screens/NetworkSetup.tsx';
import { SettingsScreen } from './screens/Settings.tsx';
import { SignMessageScreen } from './screens/SignMessage.tsx';
import { ReceiveScreen, SendScreen, WalletScreen } from './screens/Wallet.tsx';
import { MessagesScreen } from './screens/Messages.tsx';
import { ProviderScreen } from './screens/Provider.tsx';
import { ServicesScreen } from './screens/Services.tsx';
import { ServiceTypeScreen } from './screens/ServiceType.tsx';
import { SERVICE_TYPE_PATH } from './serviceType.ts';
import { ValidatorScreen } from './screens/Validator.tsx';

export interface NavGroup {
  readonly id: string;
  readonly label: MessageKey;
}

/** The menu's sections, in order. */
export const NAV_GROUPS: readonly NavGroup[] = [
  { id: 'wallet', label: 'nav.group.wallet' },
  { id: 'market', label: 'nav.group.market' },
  { id: 'network', label: 'nav.group.network' },
  { id: 'app', label: 'nav.group.app' },
];

export interface RouteDef {
  /** The address after #/, and the route's id. */
  readonly path: string;
  readonly label: MessageKey;
  /** A NavGroup id. */
  readonly group: string;
  /** Shown only once the identity belongs to a network. */
  readonly needsNetwork: boolean;
  readonly render: () => ReactElement;
}

export const ROUTES: readonly RouteDef[] = [
  {
    path: 'wallet',
    label: 'nav.wallet',
    group: 'wallet',
    needsNetwork: true,
    render: () => <WalletScreen />,
  },
  {
    path: 'send',
    label: 'nav.send',
    group: 'wallet',
    needsNetwork: true,
    render: () => <SendScreen />,
  },
  {
    path: 'receive',
    label: 'nav.receive',
    group: 'wallet',
    needsNetwork: true,
    render: () => <ReceiveScreen />,
  },
  {
    path: 'history',
    label: 'nav.history',
    group: 'wallet',
    needsNetwork: true,
    render: () => <HistoryScreen />,
  },
  {
    path: 'contacts',
    label: 'nav.contacts',
    group: 'wallet',
    needsNetwork: false,
    render: () => <ContactsScreen />,
  },
  {
    path: 'services',
    label: 'nav.services',
    group: 'market',
    needsNetwork: true,
    render: () => <ServicesScreen />,
  },
  {
    path: SERVICE_TYPE_PATH,
    label: 'serviceType.nav',
    group: 'market',
    needsNetwork: true,
    render: () => <ServiceTypeScreen />,
  },
  {
    path: 'provider',
    label: 'nav.provider',
    group: 'market',
    needsNetwork: true,
    render: () => <ProviderScreen />,
  },
  {
    path: 'validator',
    label: 'nav.validator',
    group: 'market',
    needsNetwork: true,
    render: () => <ValidatorScreen />,
  },
  {
    path: 'messages',
    label: 'nav.messages',
    group: 'market',
    needsNetwork: true,
    render: () => <MessagesScreen />,
  },
  {
    path: 'network',
    label: 'nav.network',
    group: 'network',
    needsNetwork: false,
    render: () => <NetworkHome />,
  },
  {
    path: 'explorer',
    label: 'nav.explorer',
    group: 'network',
    needsNetwork: true,
    render: () => <ExplorerScreen />,
  },
  {
    path: 'keys',
    label: 'nav.keys',
    group: 'app',
    needsNetwork: false,
    render: () => <KeyManagerScreen />,
  },
  {
    path: 'sign',
    label: 'nav.signMessage',
    group: 'app',
    needsNetwork: false,
    render: () => <SignMessageScreen />,
  },
  {
    path: 'settings',
    label: 'nav.settings',
    group: 'app',
    needsNetwork: false,
    render: () => <SettingsScreen />,
  },
];

/** The network entry: set-up (create or join) until there is a network, then its status. */
function NetworkHome() {
  const inNetwork = useApp((s) => s.network !== null);
  return inNetwork ? <NetworkScreen /> : <NetworkSetup />;
}

/** Where the app opens: the wallet once there is a network, else the network set-up. */
export function defaultPath(inNetwork: boolean): string {
  return inNetwork ? 'wallet' : 'network';
}

export function routesFor(inNetwork: boolean): RouteDef[] {
  return ROUTES.filter((route) => inNetwork || !route.needsNetwork);
}
