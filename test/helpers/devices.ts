// Test helpers for devices (docs/protocol.md §12): certify a device, pair one through a link's
// one-time key, and revoke a chain, all through the real wallet composers and admission.
import { fromHex } from '../../shared/bytes.ts';
import { signMessage } from '../../shared/crypto/ed25519.ts';
import type { KeyHex } from '../../shared/ids.ts';
import type { InsertOutcome, Ledger } from '../../shared/ledger/ledger.ts';
import { pairingMessage } from '../../shared/tx/device.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import {
  composeDevice,
  composeRevoke,
  deviceCertMessage,
  planRevoke,
  revokeSigningMessage,
} from '../../shared/wallet/devices.ts';
import { sign, type TestIdentity } from './network.ts';

export interface DeviceOptions {
  readonly name?: string;
  readonly allowance?: bigint;
  /** Pair through a link's one-time key instead of certifying the device key itself. */
  readonly pairing?: TestIdentity;
}

/** Signs a device's certificate transaction (not inserted). */
export async function deviceTx(
  ledger: Ledger,
  account: TestIdentity,
  device: TestIdentity,
  options: DeviceOptions = {},
): Promise<VerifiedTx> {
  const name = options.name ?? device.name;
  const allowance = options.allowance ?? 0n;
  const certified = options.pairing?.key ?? device.key;
  const cert = signMessage(
    account.secret,
    deviceCertMessage(ledger.networkId, { account: account.key, key: certified, name, allowance }),
  );
  const pairing = options.pairing
    ? {
        key: options.pairing.key,
        proof: signMessage(
          options.pairing.secret,
          pairingMessage(fromHex(ledger.networkId), fromHex(device.key)),
        ),
      }
    : undefined;
  const composed = composeDevice(ledger, {
    device: device.key,
    account: account.key,
    name,
    allowance,
    cert,
    ...(pairing ? { pairing } : {}),
    time: 1,
  });
  if (!composed.ok) throw new Error(composed.rejection.message);
  return sign(device, composed.tx);
}

export async function addDevice(
  ledger: Ledger,
  account: TestIdentity,
  device: TestIdentity,
  options: DeviceOptions = {},
): Promise<InsertOutcome> {
  return ledger.insert(await deviceTx(ledger, account, device, options));
}

export interface RevokeSpec {
  readonly account: TestIdentity;
  readonly target: KeyHex;
  readonly to: KeyHex;
  /** Who authorises: the account itself or one of its devices. */
  readonly by: TestIdentity;
  /** The revocation's one-time author. */
  readonly author: TestIdentity;
}

/** Plans, authorises and signs a revocation (not inserted). Throws with the refusal sentence. */
export async function revokeTx(ledger: Ledger, spec: RevokeSpec): Promise<VerifiedTx> {
  const planned = planRevoke(ledger, {
    account: spec.account.key,
    target: spec.target,
    to: spec.to,
    by: spec.by.key,
  });
  if (!planned.ok) throw new Error(planned.rejection.message);
  const sig = signMessage(spec.by.secret, revokeSigningMessage(planned.plan, spec.author.key));
  return sign(spec.author, composeRevoke(planned.plan, sig, 1));
}
