// The `beacon` transaction (docs/protocol.md §11.5): a witness's randomness for one accept's
// validator draw, as an ECVRF proof over the accept's id. draw.ts says which beacons count.
import { fromHex } from '../bytes.ts';
import { vrfVerify } from '../crypto/vrf.ts';
import type { Tx } from '../tx/envelope.ts';
import { NO_EFFECTS, type TxTypeDef } from '../tx/types.ts';
import { beaconSchema, type AcceptBody, type BeaconBody } from './bodies.ts';
import { beaconAlpha } from './draw.ts';
import { idOf } from './market.ts';
import { marketIndexCodec } from './marketSnapshot.ts';
import { bad, isRejection, once, record, requestFor } from './ruleKit.ts';

export const beaconType: TxTypeDef<BeaconBody> = {
  name: 'beacon',
  schema: beaconSchema,
  index: marketIndexCodec,
  effects(tx, ctx) {
    if (ctx.ledger.witnessedDraw !== true)
      return bad("this network's validator draws take no randomness from the witnesses");
    if (!ctx.ledger.witnesses.includes(tx.author))
      return bad('only a witness adds randomness to a validator draw');
    const request = requestFor(tx.body.request, tx, ctx);
    if (isRejection(request)) return request;
    if (request.body.m === 0) return bad('this request draws no validators');
    const acceptId = idOf(tx.body.accept);
    const accept = ctx.dependency(acceptId);
    if (accept?.type !== 'accept' || idOf((accept as Tx<AcceptBody>).body.request) !== request.id) {
      return bad("a beacon names the provider's accept of its request, among its deps");
    }
    // The output is unique for the witness's key and this accept: the proof leaves no choice.
    if (vrfVerify(fromHex(tx.author), beaconAlpha(acceptId), tx.body.proof) === null)
      return bad("the proof is not this witness's randomness for that accept");
    return once(ctx, tx, request.id, 'beacon', 'adding randomness to this draw') ?? NO_EFFECTS;
  },
  accepted: record('beacon'),
  // One per witness per request (`once` above), so the requests' authors' budgets bound them
  // (docs/protocol.md §15.1): a witness need not pay for randomness every job asks of it.
  budgetFree: true,
};
