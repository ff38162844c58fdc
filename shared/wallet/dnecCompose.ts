// Builds the unsigned DNEC life-cycle transactions for an identity, from its view of the ledger.
// Like compose.ts it is pure: the wallet signs elsewhere. Each function refuses, with a sentence,
// what the ledger would refuse, so a user learns why before anything is signed.
import { fromHex } from '../bytes.ts';
import type { CborValue } from '../codec/cbor.ts';
import type { KeyHex, TxId } from '../ids.ts';
import { nextPosition, type Ledger } from '../ledger/ledger.ts';
import { MAX_DEPS } from '../tx/envelope.ts';
import { reject } from '../tx/rejection.ts';
import type { Outcome } from '../dnec/bodies.ts';
import { instanceView, latestEvidence, market } from '../dnec/queries.ts';
import { claimDeps, type ComposeResult } from './compose.ts';

const fail = (message: string): ComposeResult => ({
  ok: false,
  rejection: reject('invalid-body', message),
});

/**
 * A DNEC transaction of `type` with `body`, depending on `deps`. When it moves money (`debit`),
 * claimable credits ride along and the author's spendable balance is checked first.
 */
export function composeAction(
  ledger: Ledger,
  author: KeyHex,
  type: string,
  body: Record<string, CborValue>,
  options: { deps?: readonly TxId[]; debit?: bigint; time: number },
): ComposeResult {
  const position = nextPosition(ledger, author);
  if ('code' in position) return { ok: false, rejection: position };
  const deps = new Set((options.deps ?? []).filter((id) => id !== position.prev));
  if (deps.size > MAX_DEPS) return fail(`at most ${MAX_DEPS} dependencies fit in one transaction`);
  const debit = options.debit ?? 0n;
  const claims = claimDeps(ledger, author, MAX_DEPS - deps.size, position.prev);
  if (debit > 0n) {
    const spendable = ledger.spendable(author) + ledger.creditLineOf(author);
    if (spendable < debit) {
      return {
        ok: false,
        rejection: reject(
          'insufficient-funds',
          `this needs ${debit}; you can spend ${spendable} now`,
        ),
      };
    }
  }
  for (const id of claims.deps) deps.add(id);
  return {
    ok: true,
    claimed: claims.claimed,
    tx: { net: ledger.networkId, ...position, deps: [...deps], type, body, time: options.time },
  };
}

/**
 * The settle for an instance whose outcome this peer can prove: its deps are the request and
 * each witness's latest vote, the evidence the ledger will check.
 */
export function composeSettle(
  ledger: Ledger,
  author: KeyHex,
  requestId: TxId,
  time: number,
): ComposeResult & { outcome?: Outcome } {
  const view = instanceView(ledger, requestId);
  if (!view) return fail('no such request on this ledger');
  if (view.settled) return fail(`already settled as ${view.settled.outcome}`);
  const { decision } = view;
  if (decision.state === 'open') return fail(`not decided yet: ${decision.waiting}`);
  if (decision.settler !== author)
    return fail(`the other party settles this outcome (${decision.outcome})`);
  const evidence = [...latestEvidence(ledger).values()];
  const result = composeAction(
    ledger,
    author,
    'settle',
    { request: fromHex(requestId), outcome: decision.outcome },
    {
      deps: [requestId, ...evidence],
      time,
    },
  );
  return result.ok ? { ...result, outcome: decision.outcome } : result;
}

/** A validator's verdict on the delivery of an instance whose committee includes it. */
export function composeVerdict(
  ledger: Ledger,
  validator: KeyHex,
  requestId: TxId,
  pass: boolean,
  time: number,
): ComposeResult {
  const view = instanceView(ledger, requestId);
  if (!view?.accept || !view.reveal || !view.delivery)
    return fail('the instance has no delivery to judge yet');
  if (view.committee.length === 0 && ledger.reader.witnessedDraw)
    return fail("the witnesses' draw of the validators is not decided yet");
  if (!view.committee.includes(validator))
    return fail('you are not one of the validators P selected for this instance');
  if (
    market(ledger)
      .actions(requestId, 'verdict')
      .some((id) => ledger.get(id)?.author === validator)
  ) {
    return fail('you already gave your verdict');
  }
  return composeAction(
    ledger,
    validator,
    'verdict',
    {
      request: fromHex(requestId),
      accept: fromHex(view.accept),
      reveal: fromHex(view.reveal),
      delivery: fromHex(view.delivery),
      pass,
    },
    // In a witnessed draw the witnesses' latest votes decide the committee (§11.5).
    { deps: [requestId, view.accept, view.reveal, view.delivery, ...drawEvidence(ledger)], time },
  );
}

/** The votes a verdict carries so that its rule can decide a witnessed draw; none otherwise. */
function drawEvidence(ledger: Ledger): TxId[] {
  return ledger.reader.witnessedDraw ? [...latestEvidence(ledger).values()] : [];
}

/** A witness's beacon for an accept's draw (§11.5), with the ECVRF proof its signer made. */
export function composeBeacon(
  ledger: Ledger,
  witness: KeyHex,
  requestId: TxId,
  accept: TxId,
  proof: Uint8Array,
  time: number,
): ComposeResult {
  return composeAction(
    ledger,
    witness,
    'beacon',
    { request: fromHex(requestId), accept: fromHex(accept), proof },
    { deps: [requestId, accept], time },
  );
}
