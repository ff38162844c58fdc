// The key manager's actions (issue 18, docs/keys.md "In the app"): several identities in one
// install, several networks per identity. The identities are the bridge's (main's keystores on
// the desktop, localStorage items in a browser); what each keeps in the page is scoped to its
// slot (identityScope.ts), and its networks are networks.ts's.
//
// Switching identity reloads the page: everything the page holds (the runtime, the market,
// drafts, the signer) belongs to the identity it was opened for, and a fresh page opened for the
// other one, locked, is the one way to be sure none of it crosses over. Switching network does
// not: the runtime is closed and the other network's opened, as joining one always did.
import type { GpowBridge, IdentitiesReport } from '../../shared/bridge/contract.ts';
import type { Invitation } from '../../shared/net/invitation.ts';
import { UserError } from './errors.ts';
import { clearScope, type ListableStorage } from './identityScope.ts';
import { forgetNetwork, keepNetwork, loadNetworks } from './networks.ts';
import { saveNetwork, saveTickets, type KeyValueStorage } from './persisted.ts';

export interface KeyManagerSlice {
  /** The install's identities and which one is open; null until first read. */
  readonly identities: IdentitiesReport | null;
  /** Goes up when the list of this identity's networks changes. */
  readonly networksVersion: number;
  readonly refreshIdentities: () => Promise<void>;
  /** Saves a new identity from words (fresh or imported) and opens it, locked. */
  readonly addIdentity: (name: string, mnemonic: string, passphrase: string) => Promise<void>;
  readonly switchIdentity: (slot: number) => Promise<void>;
  readonly renameIdentity: (slot: number, name: string) => Promise<void>;
  /** Deletes an identity's keys and what the page kept for it; see docs/keys.md. */
  readonly removeIdentity: (slot: number) => Promise<void>;
  /** This identity's networks, the open one first. */
  readonly knownNetworks: () => Invitation[];
  /** Puts the open network aside (kept in the list) so another can be joined or created. */
  readonly setNetworkAside: () => Promise<void>;
  readonly switchNetwork: (networkId: string) => Promise<void>;
  /** Forgets a network that is not open: its invitation and the invitations given out for it. */
  readonly forgetOtherNetwork: (networkId: string) => void;
}

export interface KeyManagerDeps {
  readonly bridge: GpowBridge | null;
  /** This identity's storage (scoped). */
  readonly storage: KeyValueStorage;
  /** The whole web storage, to clear a removed identity's keys; absent: nothing is cleared. */
  readonly rootStorage?: ListableStorage;
  /** Opens the page again for the identity now current. */
  readonly reload: () => void;
  readonly network: () => Invitation | null;
  readonly stop: () => Promise<void>;
  readonly start: (network: Invitation) => Promise<void>;
  readonly setNetwork: (network: Invitation | null) => void;
  readonly set: (update: Partial<KeyManagerSlice>) => void;
  readonly get: () => KeyManagerSlice;
}

export function keyManagerSlice(deps: KeyManagerDeps): KeyManagerSlice {
  const bridge = (): GpowBridge => {
    if (deps.bridge === null) throw new UserError('error.noBridge');
    return deps.bridge;
  };
  const changed = () => deps.set({ networksVersion: deps.get().networksVersion + 1 });
  /** The open network goes (back) into the list before another takes its place. */
  const stash = () => {
    const open = deps.network();
    if (open !== null) keepNetwork(deps.storage, open);
  };

  return {
    identities: null,
    networksVersion: 0,

    async refreshIdentities() {
      deps.set({ identities: await bridge().listIdentities() });
    },

    async addIdentity(name, mnemonic, passphrase) {
      await bridge().addIdentity({ name, mnemonic, passphrase });
      deps.reload();
    },

    async switchIdentity(slot) {
      if (deps.get().identities?.current === slot) return;
      await deps.stop();
      await bridge().useIdentity({ slot });
      deps.reload();
    },

    async renameIdentity(slot, name) {
      await bridge().renameIdentity({ slot, name });
      await deps.get().refreshIdentities();
    },

    async removeIdentity(slot) {
      const wasCurrent = deps.get().identities?.current === slot;
      if (wasCurrent) await deps.stop();
      const after = await bridge().removeIdentity({ slot });
      if (deps.rootStorage !== undefined) clearScope(deps.rootStorage, slot);
      if (wasCurrent) deps.reload();
      else deps.set({ identities: after });
    },

    knownNetworks: () => loadNetworks(deps.storage),

    async setNetworkAside() {
      stash();
      await deps.stop();
      saveNetwork(deps.storage, null);
      deps.setNetwork(null);
      changed();
    },

    async switchNetwork(networkId) {
      const target = loadNetworks(deps.storage).find((n) => n.networkId === networkId);
      if (target === undefined) throw new UserError('keys.network.error.unknown');
      if (deps.network()?.networkId === networkId) return;
      stash();
      await deps.stop();
      saveNetwork(deps.storage, target);
      forgetNetwork(deps.storage, networkId);
      deps.setNetwork(target);
      changed();
      // The screen opens even when the network cannot start: it says why.
      await deps.start(target).catch(() => undefined);
    },

    forgetOtherNetwork(networkId) {
      if (deps.network()?.networkId === networkId) throw new UserError('keys.network.error.open');
      forgetNetwork(deps.storage, networkId);
      saveTickets(deps.storage, networkId, []);
      changed();
    },
  };
}
