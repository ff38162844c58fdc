// The consumer's side of the service market: the catalog of service types, a request form
// generated from the type's definition, the negotiation table (every provider, ranked or left
// out with its reason), the escrow confirmation, and each request's life cycle. One route,
// three views chosen by the query; the views live in ./services/.
import type { TxId } from '../../../shared/ids.ts';
import { useHashQuery } from '../router.tsx';
import { Catalog } from './services/Catalog.tsx';
import { InstanceScreen } from './services/InstanceScreen.tsx';
import { RequestFlow } from './services/RequestFlow.tsx';

// The provider's, validator's and messages screens wait behind the same gate.
export { MarketGate } from './services/MarketGate.tsx';
export { InstanceScreen };

export function ServicesScreen() {
  const query = useHashQuery();
  const id = query.get('id');
  const type = query.get('type');
  if (id !== null) return <InstanceScreen id={id as TxId} />;
  if (type !== null) return <RequestFlow serviceId={type} />;
  return <Catalog />;
}
