// The networks one identity belongs to (issue 18: one identity, several networks, each with its
// own balance). The network open now stays where it always was (persisted.ts NETWORK_KEY), so an
// identity with one network needs nothing new; the others wait in NETWORKS_KEY, each as its
// invitation link, checked on every load by the same strict parser as a pasted link. Each
// network keeps its own logs (its ledger, replica and chats are named by its id), so switching
// reopens the other network's balance and history as they were.
import { formatInvitation, parseInvitation, type Invitation } from '../../shared/net/invitation.ts';
import { loadNetwork, type KeyValueStorage } from './persisted.ts';

export const NETWORKS_KEY = 'gpow.networks.v1';
/** As many networks as one identity reasonably belongs to (and the workspace backup holds). */
export const MAX_NETWORKS = 16;

/** The networks kept besides the open one, damaged entries left out. */
function loadOthers(storage: KeyValueStorage): Invitation[] {
  let json: unknown;
  try {
    json = JSON.parse(storage.getItem(NETWORKS_KEY) ?? 'null');
  } catch {
    return [];
  }
  if (typeof json !== 'object' || json === null || !('invitations' in json)) return [];
  const { invitations } = json;
  if (!Array.isArray(invitations)) return [];
  return invitations.slice(0, MAX_NETWORKS).flatMap((link: unknown) => {
    const parsed = parseInvitation(link);
    return parsed.ok ? [parsed.invitation] : [];
  });
}

function saveOthers(storage: KeyValueStorage, networks: readonly Invitation[]): void {
  if (networks.length === 0) storage.removeItem(NETWORKS_KEY);
  else {
    const invitations = networks.map((network) => formatInvitation(network));
    storage.setItem(NETWORKS_KEY, JSON.stringify({ version: 1, invitations }));
  }
}

/** Every network of this identity: the open one first (its freshest secret), then the others. */
export function loadNetworks(storage: KeyValueStorage): Invitation[] {
  const open = loadNetwork(storage);
  const others = loadOthers(storage).filter((n) => n.networkId !== open?.networkId);
  return open === null ? others : [open, ...others];
}

/** Keeps `network` among this identity's networks (replacing its older entry, if any). */
export function keepNetwork(storage: KeyValueStorage, network: Invitation): void {
  const others = loadOthers(storage).filter((n) => n.networkId !== network.networkId);
  saveOthers(storage, [...others, network].slice(-MAX_NETWORKS));
}

/** Forgets the network `networkId` from the list (the open one is persisted.ts's to forget). */
export function forgetNetwork(storage: KeyValueStorage, networkId: string): void {
  const others = loadOthers(storage);
  const kept = others.filter((n) => n.networkId !== networkId);
  if (kept.length !== others.length) saveOthers(storage, kept);
}
