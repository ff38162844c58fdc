// Re-founding (docs/protocol.md §13.6), as the engine does it on every platform: the new genesis
// carries this network's balances over, signed by this identity, and an announcement on this
// network tells every member where the group went. Following is the platform's part (it moves
// the home or profile to the new network id).
import type { KeyHex } from '../shared/ids.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import { nextPosition } from '../shared/ledger/ledger.ts';
import { REFOUND_TYPE, refoundBody } from '../shared/net/refound.ts';
import type { Admit } from '../shared/replication/ledgerDoc.ts';
import { genesisBody } from '../shared/tx/genesis.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';
import { planRefound, type RefoundPlan } from '../shared/wallet/refound.ts';
import { EngineError, type Compose } from './events.ts';
import { withTodaysRules } from './genesis.ts';
import type { EnginePorts } from './ports.ts';

export interface RefoundHost {
  readonly ports: Pick<EnginePorts, 'signer' | 'clock'>;
  readonly ledger: Ledger | null;
  act(compose: Compose): Promise<{ tx: VerifiedTx } | null>;
}

export interface Refounded {
  readonly genesis: VerifiedTx;
  /** The new genesis's wire bytes: the platform keeps them to start the new network. */
  readonly bytes: Uint8Array;
  readonly announcement: VerifiedTx;
  readonly plan: RefoundPlan;
}

export async function refoundNetwork(
  host: RefoundHost,
  request: { readonly name: string; readonly witnesses: readonly KeyHex[] },
  admit: Admit,
): Promise<Refounded> {
  const ledger = host.ledger;
  const signer = host.ports.signer;
  if (!ledger) throw new EngineError('to re-found the network, wait until it has arrived');
  if (!signer) throw new EngineError('to re-found the network, unlock your identity');
  const planned = planRefound(ledger, request);
  if (!planned.ok) throw new EngineError(planned.rejection.message, planned.rejection);
  const { plan } = planned;
  const time = host.ports.clock.now();
  const bytes = signer.sign({
    net: null,
    seq: 0,
    prev: null,
    deps: [],
    type: 'genesis',
    // A re-founded network is a new one, with the rules of networks founded now.
    body: genesisBody(withTodaysRules(plan.input)),
    time,
  });
  const admitted = await admit(bytes);
  if (!admitted.ok)
    throw new EngineError(`the new genesis is invalid: ${admitted.rejection.message}`);
  const genesis = admitted.tx;
  const announce: Compose = (current, me) => {
    const position = nextPosition(current, me);
    if ('code' in position) return { ok: false, rejection: position };
    const body = refoundBody({
      networkId: genesis.id,
      name: plan.input.name,
      witnesses: plan.input.witnesses,
      root: plan.root,
    });
    return {
      ok: true,
      tx: { net: current.networkId, ...position, deps: [], type: REFOUND_TYPE, body, time },
    };
  };
  const done = await host.act(announce);
  if (!done) throw new EngineError('the announcement could not be signed now; try again');
  return { genesis, bytes, announcement: done.tx, plan };
}
