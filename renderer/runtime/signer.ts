// What the runtime signs with. The secret key never reaches the runtime or the UI: a signer
// takes an unsigned transaction and returns its signed bytes. In browser mode the in-page
// vault (renderer/bridge/inPageVault.ts) is the signer; in the desktop app it is BridgeSigner
// below, which routes each signature through the bridge to the main process, where the key is.
import type { GpowBridge } from '../../shared/bridge/contract.ts';
import { bytesEqual, fromHex } from '../../shared/bytes.ts';
import { encodeCanonical } from '../../shared/codec/cbor.ts';
import { parseAddress, type Address } from '../../shared/identity/address.ts';
import { keyHexOf, type KeyHex, type NetworkId } from '../../shared/ids.ts';
import type { OpenKeyResult } from '../../shared/ssk/box.ts';
import type { UnsignedTx } from '../../shared/tx/envelope.ts';
import { pairingProof } from '../../engine/devices.ts';
import type { EngineSigner } from '../../engine/ports.ts';
import type { SskOpener } from '../../engine/sskKeyring.ts';

/** The engine's signer port (engine/ports.ts), as the app's platforms provide it. */
export type TxSigner = EngineSigner;
export type { SskOpener } from '../../engine/sskKeyring.ts';

/** Where the app finds the signer of the identity that was just unlocked, if the platform has one. */
export interface SignerSource {
  /** The signer for the unlocked identity, or null when it is locked or cannot sign here. */
  signer(): TxSigner | null;
  /** Forgets the key. */
  lock(): void;
  /**
   * Where the platform can make this profile a device of an identity (docs/protocol.md §12):
   * browser mode's in-page vault, or main's keystore on the desktop.
   */
  readonly devices?: DeviceKeyHolder;
}

/** Where the item that holds this profile's encrypted key is kept (browser mode: localStorage). */
export type KeystoreStorage = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * Makes and keeps a device key: a fresh key of the platform's own randomness that signs this
 * device's chain, encrypted under the passphrase as this profile's keystore. The key itself is
 * never handed out; what leaves is its public key and the proof a pairing link asks for.
 */
export interface DeviceKeyHolder {
  /**
   * Creates the key (refused when this profile already has a keystore), saves it, holds it for
   * signing as a device paired without the words, and signs the pairing proof with the link's
   * one-time secret.
   */
  createDeviceKey(input: {
    readonly networkId: NetworkId;
    readonly pairingSecret: Uint8Array;
    readonly passphrase: string;
    readonly storage: KeystoreStorage;
  }): Promise<{ readonly address: Address; readonly key: KeyHex; readonly proof: Uint8Array }>;
  /**
   * The key just unlocked (`key`) signs a device's chain and this profile has not the words:
   * it signs nothing for the identity itself. False when the held key is another.
   */
  holdAsDevice(key: KeyHex): boolean;
}

/**
 * An unsigned transaction as the bridge's signTransaction takes it: canonical CBOR of
 * { net, seq, prev, deps, type, body, time }, ids as 32-byte strings, deps sorted and
 * deduplicated. Main decodes it strictly (electron/signRequest.ts) and adds the author.
 */
export function encodeSignRequest(unsigned: UnsignedTx): Uint8Array {
  const deps = [...new Set(unsigned.deps)].sort();
  return encodeCanonical({
    net: unsigned.net === null ? null : fromHex(unsigned.net),
    seq: unsigned.seq,
    prev: unsigned.prev === null ? null : fromHex(unsigned.prev),
    deps: deps.map((d) => fromHex(d)),
    type: unsigned.type,
    body: unsigned.body,
    time: unsigned.time,
  });
}

export const LOCKED_MESSAGE = 'The identity is locked: unlock it to sign.';

/** What the desktop signer needs of the bridge. */
type DesktopSigning = Pick<
  GpowBridge,
  | 'signTransaction'
  | 'openSskBox'
  | 'signIdentityMessage'
  | 'proveVrf'
  | 'createDeviceKeystore'
  | 'lock'
>;

/**
 * The desktop app's signer source. It never holds a key: after the bridge has unlocked the
 * keystore (renderer/bridge/desktop.ts tells it so through unlocked()), its signer sends each
 * transaction to main as a sign request and returns the wire bytes main signed. Main refuses
 * while it is locked, and so does a signer handed out before lock().
 */
export class BridgeSigner implements SignerSource {
  readonly #bridge: DesktopSigning;
  #signer: (TxSigner & SskOpener) | null = null;

  constructor(bridge: DesktopSigning) {
    this.#bridge = bridge;
  }

  /**
   * The bridge unlocked the keystore of `key`: signing through main works from now on. With
   * `asDevice`, the key is a device's paired without the words (§12): it signs its own chain and
   * nothing for the identity.
   */
  unlocked(key: KeyHex, asDevice = false): void {
    const recipient = fromHex(key);
    // An identity's own keystore (its words or key): main signs a device certificate or a
    // revocation for it, after checking the exact bytes (docs/protocol.md §12).
    const signMessage = (message: Uint8Array): Uint8Array => {
      if (this.#signer !== signer) throw new Error(LOCKED_MESSAGE);
      return this.#bridge.signIdentityMessage(message);
    };
    const signer: TxSigner & SskOpener = {
      key,
      ...(asDevice ? {} : { signMessage, identity: { key, signMessage } }),
      sign: (unsigned) => {
        if (this.#signer !== signer) throw new Error(LOCKED_MESSAGE);
        return this.#bridge.signTransaction(encodeSignRequest(unsigned));
      },
      // Main proves with the key that signs the chain, the one sign() uses.
      proveVrf: (alpha) => {
        if (this.#signer !== signer) throw new Error(LOCKED_MESSAGE);
        return this.#bridge.proveVrf(alpha);
      },
      // Main opens boxes for its own identity only, so a box for anyone else is refused here.
      openSskBox: (box, ctx): OpenKeyResult => {
        if (this.#signer !== signer) return { ok: false, error: LOCKED_MESSAGE };
        if (!bytesEqual(ctx.recipient, recipient))
          return { ok: false, error: 'this key box is sealed to another identity' };
        const opened = this.#bridge.openSskBox({
          box,
          network: ctx.network,
          sender: ctx.sender,
          epoch: ctx.epoch,
        });
        return opened.ok ? { ok: true, key: opened.key, meta: { ...opened.meta } } : opened;
      },
    };
    this.#signer = signer;
  }

  signer(): TxSigner | null {
    return this.#signer;
  }

  /** This computer as a device of another identity: the key is made and kept in main. */
  readonly devices: DeviceKeyHolder = {
    createDeviceKey: async ({ networkId, pairingSecret, passphrase }) => {
      const { address } = await this.#bridge.createDeviceKeystore({ passphrase });
      const parsed = parseAddress(address);
      if (!parsed.ok) throw new Error('main answered with an address that does not parse');
      const key = keyHexOf(parsed.publicKey);
      this.unlocked(key, true);
      return {
        address: parsed.address,
        key,
        proof: pairingProof(networkId, pairingSecret, key).proof,
      };
    },
    holdAsDevice: (key) => {
      if (this.#signer?.key !== key) return false;
      if (this.#signer.identity !== undefined) this.unlocked(key, true);
      return true;
    },
  };

  /** Forgets the signer here only (main is locked separately). */
  forget(): void {
    this.#signer = null;
  }

  /** Forgets the signer here and has main forget the key. */
  lock(): void {
    this.forget();
    this.#bridge.lock().catch((error: unknown) => {
      console.error('The main process could not lock the identity:', error);
    });
  }
}
