// One identity on several devices (docs/protocol.md §12), as the engine runs it on every
// platform: a device publishes its certificate once it knows the network, the chain that holds
// the identity's money keeps each device topped up to its allowance, and any device lists,
// pairs and revokes devices. Every refusal is a sentence.
import { fromHex } from '../shared/bytes.ts';
import type { PairingLink } from '../shared/net/pairing.ts';
import { publicKeyOf, signMessage, type SignatureVerifier } from '../shared/crypto/ed25519.ts';
import { keyHexOf, type KeyHex, type TxId } from '../shared/ids.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import { signTx, type UnsignedTx } from '../shared/tx/envelope.ts';
import { pairingMessage } from '../shared/tx/device.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';
import { composeTransfer } from '../shared/wallet/compose.ts';
import {
  composeDevice,
  composeRevoke,
  deviceCertMessage,
  deviceNameProblem,
  planRevoke,
  revokeSigningMessage,
} from '../shared/wallet/devices.ts';
import { EngineError, type Compose } from './events.ts';
import type { Cancel, EnginePorts } from './ports.ts';
import { DEVICE_CHECK_MS } from './timing.ts';

/** How this home's chain becomes a device of its identity, when it is one. */
export interface DeviceSetup {
  readonly account: KeyHex;
  readonly name: string;
  /** A device restored from the words certifies itself, with this allowance (default 0). */
  readonly allowance?: bigint;
  /** From a pairing link: the identity's certificate over the link's one-time key, and proof. */
  readonly pairing?: {
    readonly key: KeyHex;
    readonly proof: Uint8Array;
    readonly cert: Uint8Array;
    readonly allowance: bigint;
  };
}

/** What a pairing link carries beyond the network invitation. */
export interface PairingGrant {
  readonly account: KeyHex;
  readonly secret: Uint8Array;
  readonly name: string;
  readonly allowance: bigint;
  readonly cert: Uint8Array;
}

export interface DeviceView {
  readonly key: KeyHex;
  readonly name: string;
  /** The identity's own chain (the machine that created it), not a certified device key. */
  readonly original: boolean;
  /** This home's chain. */
  readonly here: boolean;
  readonly added: number | null;
  readonly lastSeen: number | null;
  /** What the chain can spend now, credit line included. */
  readonly holds: bigint;
  readonly allowance: bigint;
  readonly revoked: 'final' | 'pending' | null;
}

export interface DeviceHost {
  readonly ports: Pick<EnginePorts, 'signer' | 'random' | 'clock' | 'timers'>;
  readonly setup: DeviceSetup | undefined;
  ledger(): Ledger | null;
  mayAct(): boolean;
  act<T extends { ok: true; tx: UnsignedTx }>(compose: Compose<T>): Promise<unknown>;
  importTransaction(bytes: Uint8Array): Promise<VerifiedTx>;
  warn(message: string): void;
}

export class DeviceAgent {
  readonly #host: DeviceHost;
  #timer: Cancel | null = null;
  #busy = false;
  #refused = false;
  readonly #told = new Set<string>();

  constructor(host: DeviceHost) {
    this.#host = host;
  }

  start(): void {
    if (!this.#host.ports.signer || this.#timer) return;
    this.#timer = this.#host.ports.timers.every(DEVICE_CHECK_MS, () => void this.#check());
  }

  stop(): void {
    this.#timer?.();
    this.#timer = null;
  }

  /** The identity this home acts for, or null before the network says. */
  account(): KeyHex | null {
    const signer = this.#host.ports.signer;
    if (!signer) return null;
    if (signer.identity) return signer.identity.key;
    return this.#host.setup?.account ?? this.#host.ledger()?.identityOf(signer.key) ?? null;
  }

  /** The identity's chains: its own, then its devices, with what each holds. */
  list(of?: KeyHex): DeviceView[] {
    const ledger = this.#host.ledger();
    const account = of ?? this.account();
    if (!ledger || !account) return [];
    const here = this.#host.ports.signer?.key;
    const revoked = (key: KeyHex): DeviceView['revoked'] => {
      const list = ledger.revocationsOf(key);
      return list.some((r) => r.final) ? 'final' : list.length > 0 ? 'pending' : null;
    };
    const view = (key: KeyHex, original: boolean): DeviceView => {
      const record = ledger.device(key);
      const head = ledger.head(key);
      return {
        key,
        name: record?.name ?? 'original device',
        original,
        here: key === here,
        added: record?.time ?? null,
        lastSeen: head ? (ledger.get(head.id)?.time ?? null) : null,
        holds: ledger.spendable(key) + ledger.creditLineOf(key),
        allowance: record?.allowance ?? 0n,
        revoked: revoked(key),
      };
    };
    return [view(account, true), ...ledger.devicesOf(account).map((key) => view(key, false))];
  }

  /**
   * The sentence for a payment this device cannot cover: how much it holds, how much the
   * identity holds in all and where, and what to do. Null on the identity's own chain.
   */
  shortfall(amount: bigint): string | null {
    const ledger = this.#host.ledger();
    const me = this.#host.ports.signer?.key;
    const account = this.account();
    if (!ledger || !me || !account || me === account) return null;
    const holds = ledger.spendable(me) + ledger.creditLineOf(me);
    const total = ledger.identityAccount(account).available;
    const holder = holderOf(ledger, account);
    const where =
      holder === account
        ? 'your original device'
        : `"${ledger.device(holder)?.name ?? 'another device'}"`;
    const allowance = ledger.device(me)?.allowance ?? 0n;
    return `this device can spend ${holds}, not ${amount}: your identity holds ${total} in all, most of it on ${where}. Pay from there, or have it send this device more${allowance > 0n ? ` (it tops this device up to ${allowance} whenever it runs)` : ''}.`;
  }

  /** Makes what a pairing link carries: a one-time key the identity certified. */
  createPairing(name: string, allowance: bigint): PairingGrant {
    const { ledger, identity } = this.#withIdentity('pair a new device');
    const problem = deviceNameProblem(name);
    if (problem) throw new EngineError(problem);
    if (allowance < 0n) throw new EngineError('an allowance cannot be negative');
    const secret = this.#host.ports.random.bytes(32);
    const key = keyHexOf(publicKeyOf(secret));
    const grant = { account: identity.key, key, name, allowance };
    const cert = identity.signMessage(deviceCertMessage(ledger.networkId, grant));
    return { account: identity.key, secret, name, allowance, cert };
  }

  /**
   * Closes a lost device's chain. `to` inherits what it held: by default the identity's own
   * chain, or this device when the revoked chain is the identity's own.
   */
  async revoke(target: KeyHex, to?: KeyHex): Promise<VerifiedTx> {
    const ledger = this.#host.ledger();
    const signer = this.#host.ports.signer;
    const account = this.account();
    if (!ledger || !signer || !account)
      throw new EngineError('revoking a device needs an unlocked identity and a known network');
    const heir = to ?? (target === account ? signer.key : account);
    const by = signer.identity ? account : signer.key;
    const planned = planRevoke(ledger, { account, target, to: heir, by });
    if (!planned.ok) throw new EngineError(planned.rejection.message, planned.rejection);
    // A one-time key authors it: if it never becomes final, no chain that matters is stuck.
    const author = this.#host.ports.random.bytes(32);
    const message = revokeSigningMessage(planned.plan, keyHexOf(publicKeyOf(author)));
    const sig = signer.identity
      ? signer.identity.signMessage(message)
      : signer.signMessage?.(message);
    if (!sig) throw new EngineError('this platform cannot sign a revocation');
    const bytes = signTx(author, composeRevoke(planned.plan, sig, this.#host.ports.clock.now()));
    author.fill(0);
    return this.#host.importTransaction(bytes);
  }

  #withIdentity(what: string): {
    ledger: Ledger;
    identity: NonNullable<NonNullable<DeviceHost['ports']['signer']>['identity']>;
  } {
    const ledger = this.#host.ledger();
    const identity = this.#host.ports.signer?.identity;
    if (!identity)
      throw new EngineError(
        `to ${what}, use a device that holds your 24 words (this one was paired without them)`,
      );
    if (!ledger) throw new EngineError(`to ${what}, wait until the network has arrived`);
    return { ledger, identity };
  }

  async #check(): Promise<void> {
    const ledger = this.#host.ledger();
    if (ledger) this.#tellOnce(ledger);
    if (this.#busy || !ledger || !this.#host.mayAct()) return;
    this.#busy = true;
    try {
      await this.#certifyIfNeeded(ledger);
      await this.#topUp(ledger);
    } catch (error) {
      this.#host.warn(`devices: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.#busy = false;
    }
  }

  /** Says once what a person must know: this device was revoked, or cannot be a witness. */
  #tellOnce(ledger: Ledger): void {
    const me = this.#host.ports.signer?.key;
    const account = this.account();
    if (!me || !account) return;
    const tell = (key: string, message: string) => {
      if (this.#told.has(key)) return;
      this.#told.add(key);
      this.#host.warn(message);
    };
    const revoked = ledger.revocationsOf(me).find((r) => r.final);
    if (revoked) {
      const heir =
        revoked.to === account
          ? 'the original device'
          : `"${ledger.device(revoked.to)?.name ?? revoked.to}"`;
      tell(
        'revoked',
        `this device was revoked: it can no longer sign for its identity. What it held went to ${heir}; what it signed after its transaction #${revoked.head?.seq ?? -1} does not count and moved no money.`,
      );
    }
    if (this.#host.setup && ledger.witnesses.has(account))
      tell(
        'witness',
        'this identity is a witness, and witness votes come only from its original machine: this device pays but does not vote. If the original is lost for good, restore the words there with "identity import --as-original", or have the group replace the witness.',
      );
  }

  /** A new device publishes its certificate once, when it knows the network. */
  async #certifyIfNeeded(ledger: Ledger): Promise<void> {
    const setup = this.#host.setup;
    const signer = this.#host.ports.signer;
    if (!setup || !signer || this.#refused || ledger.device(signer.key)) return;
    const pairing = setup.pairing;
    if (pairing) {
      const used = [...ledger.devicesOf(setup.account)]
        .map((key) => ledger.device(key))
        .find((record) => record?.pairing === pairing.key && record.key !== signer.key);
      if (used) {
        this.#refused = true;
        this.#host.warn(
          `this pairing link was already used by the device "${used.name}"; nothing was signed. Make a new link on a device that holds your words.`,
        );
        return;
      }
    }
    const cert = pairing?.cert ?? this.#selfCert(ledger, setup, signer.key);
    await this.#host.act((l, device) =>
      composeDevice(l, {
        device,
        account: setup.account,
        name: setup.name,
        allowance: pairing?.allowance ?? setup.allowance ?? 0n,
        cert,
        ...(pairing ? { pairing: { key: pairing.key, proof: pairing.proof } } : {}),
        time: this.#host.ports.clock.now(),
      }),
    );
  }

  #selfCert(ledger: Ledger, setup: DeviceSetup, key: KeyHex): Uint8Array {
    const identity = this.#host.ports.signer?.identity;
    if (!identity) throw new EngineError('this device has neither a pairing nor the words');
    const grant = {
      account: setup.account,
      key,
      name: setup.name,
      allowance: setup.allowance ?? 0n,
    };
    return identity.signMessage(deviceCertMessage(ledger.networkId, grant));
  }

  /** The chain holding the identity's money tops each device up to its allowance. */
  async #topUp(ledger: Ledger): Promise<void> {
    const me = this.#host.ports.signer?.key;
    const account = this.account();
    if (!me || !account || holderOf(ledger, account) !== me) return;
    for (const device of ledger.devicesOf(account)) {
      const record = ledger.device(device);
      if (!record || record.allowance === 0n || ledger.revocationsOf(device).length > 0) continue;
      const need = record.allowance - ledger.spendable(device) - ledger.account(device).pending;
      // Only what the chain holds: a top-up never runs the identity into its credit line.
      const can = ledger.spendable(me);
      const amount = need < can ? need : can;
      if (amount <= 0n) continue;
      await this.#host.act((l, from) =>
        composeTransfer(l, { from, to: device, amount, time: this.#host.ports.clock.now() }),
      );
      return; // one at a time: the next check sees this one pending
    }
  }
}

/** The chain that holds an identity's money now: its own, or the heir of its revocation. */
export function holderOf(ledger: Ledger, account: KeyHex): KeyHex {
  let holder = account;
  for (let hops = 0; hops < 16; hops++) {
    const closed = ledger.revocationsOf(holder).find((r) => r.final);
    if (!closed) return holder;
    holder = closed.to;
  }
  return holder;
}

/** What a new device computes from a pairing link: its proof over its own key. */
export function pairingProof(
  networkId: TxId,
  secret: Uint8Array,
  device: KeyHex,
): {
  key: KeyHex;
  proof: Uint8Array;
} {
  return {
    key: keyHexOf(publicKeyOf(secret)),
    proof: signMessage(secret, pairingMessage(fromHex(networkId), fromHex(device))),
  };
}

/**
 * Whether a pairing link's certificate is the identity's, for this link's network, one-time key,
 * name and allowance: checked before a new device saves anything (the CLI's "device join", the
 * app's "Pair with my other device").
 */
export function pairingCertified(link: PairingLink, verifier: SignatureVerifier): Promise<boolean> {
  const grant = {
    account: link.account,
    key: keyHexOf(publicKeyOf(link.secret)),
    name: link.name,
    allowance: link.allowance,
  };
  const message = deviceCertMessage(link.invitation.networkId as TxId, grant);
  return verifier.verify(link.cert, message, fromHex(link.account));
}
