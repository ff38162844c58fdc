// Re-foundings on the Network screen (docs/protocol.md §13.6). On the old network: each announced
// re-founding, with the new network's name and id, who announced it, its witnesses and what this
// identity will hold there, and Follow after a confirmation that says exactly what happens. On
// the new network, once followed: what the genesis gives against what was held, and the way
// back. state/refound.ts does the moving; this file only shows it.
import { useState } from 'react';
import type { Invitation } from '../../../shared/net/invitation.ts';
import { arrivedOf, refoundOffers, type RefoundOffer } from '../../state/refound.ts';
import { describeError } from '../../state/errors.ts';
import { Mono, useAction } from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';
import { useLedgerView } from '../useLedger.ts';
import { useNames } from './MemberNames.tsx';

const shortId = (id: string): string => `${id.slice(0, 12)}…`;

/** A balance as the panels say it: the amount, or what is owed. */
function useBalance(): (value: bigint) => string {
  const { t, amount } = useI18n();
  return (value) => (value < 0n ? t('refound.owes', { amount: amount(-value) }) : amount(value));
}

/** The announced re-foundings of this network; nothing when there are none. */
export function RefoundPanel() {
  const { t, tn } = useI18n();
  const offers = useLedgerView(refoundOffers);
  const network = useApp((s) => s.network);
  if (offers === null || offers.length === 0 || network === null) return null;
  return (
    <section className="panel" aria-labelledby="refound-title" data-testid="refound-panel">
      <h2 id="refound-title">{tn('refound.title', offers.length)}</h2>
      <p>{t('refound.intro')}</p>
      {offers.length > 1 ? <p className="warning">{t('refound.pick')}</p> : null}
      {offers.map((offer) => (
        <RefoundOfferView key={offer.id} offer={offer} network={network} />
      ))}
    </section>
  );
}

export function RefoundOfferView({ offer, network }: { offer: RefoundOffer; network: Invitation }) {
  const { t, time } = useI18n();
  const names = useNames();
  const balance = useBalance();
  const followRefounding = useApp((s) => s.followRefounding);
  const [asking, setAsking] = useState(false);
  const follow = useAction(() => followRefounding(offer.networkId));
  const old = network.name ?? t('network.unnamed');
  return (
    <article
      className="confirm"
      data-testid="refound-offer"
      data-network={offer.networkId}
      aria-labelledby={`refound-${offer.id}`}
    >
      <h3 id={`refound-${offer.id}`}>“{offer.name}”</h3>
      <dl>
        <dt>{t('refound.network')}</dt>
        <dd title={offer.networkId} data-testid="refound-network">
          <Mono>{shortId(offer.networkId)}</Mono>
        </dd>
        <dt>{t('refound.by')}</dt>
        <dd data-testid="refound-by">
          {names([offer.by])}, {time(offer.time)}
        </dd>
        <dt>{t('refound.witnesses')}</dt>
        <dd data-testid="refound-witnesses">{names(offer.witnesses)}</dd>
        <dt>{t('refound.balance')}</dt>
        <dd data-testid="refound-balance">{balance(offer.carried)}</dd>
      </dl>
      <p className="hint">{t('refound.balanceNote')}</p>
      {asking ? (
        <FollowConfirm
          offer={offer}
          old={old}
          busy={follow.busy}
          onCancel={() => setAsking(false)}
          onConfirm={() => follow.run()}
        />
      ) : (
        <button
          type="button"
          onClick={() => {
            follow.reset();
            setAsking(true);
          }}
        >
          {t('refound.follow', { name: offer.name })}
        </button>
      )}
      {follow.error !== null ? (
        <p className="error" role="alert">
          {t('refound.failed', { name: old })} {describeError(follow.error, t)}
        </p>
      ) : null}
    </article>
  );
}

/** Exactly what following does, before anything is done. */
export function FollowConfirm(props: {
  offer: RefoundOffer;
  old: string;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const { t } = useI18n();
  const params = { name: props.offer.name, old: props.old, id: shortId(props.offer.networkId) };
  return (
    <div role="group" aria-label={t('refound.confirmLabel', params)} data-testid="refound-confirm">
      <h4>{t('refound.confirm.title', params)}</h4>
      <ul>
        <li>{t('refound.confirm.moves', params)}</li>
        <li>{t('refound.confirm.kept', params)}</li>
        <li>{t('refound.confirm.pending', params)}</li>
        <li>{t('refound.confirm.genesis', params)}</li>
      </ul>
      <div className="actions">
        <button type="button" onClick={props.onCancel} disabled={props.busy}>
          {t('common.cancel')}
        </button>
        <button type="button" className="primary" onClick={props.onConfirm} disabled={props.busy}>
          {t('refound.confirm.button', params)}
        </button>
      </div>
    </div>
  );
}

/** On the network the app followed a re-founding to: the balance check and the way back. */
export function FollowedPanel() {
  const { t, time } = useI18n();
  const balance = useBalance();
  const followed = useApp((s) => s.followed);
  const network = useApp((s) => s.network);
  const runtime = useApp((s) => s.runtime);
  const me = useApp((s) => s.key);
  useApp((s) => s.ledgerVersion); // the genesis arriving is a ledger change
  const returnToFollowed = useApp((s) => s.returnToFollowed);
  const [asking, setAsking] = useState(false);
  const back = useAction(() => returnToFollowed());
  if (followed === null || network === null || followed.to !== network.networkId) return null;
  const old = followed.from.name ?? t('network.unnamed');
  const ledger = runtime?.ledger ?? null;
  const arrived =
    ledger !== null && me !== null ? arrivedOf(ledger, me, followed.from.networkId) : null;
  return (
    <section className="panel" aria-labelledby="followed-title" data-testid="followed-panel">
      <h2 id="followed-title">{t('followed.title')}</h2>
      <p>{t('followed.from', { old, time: time(followed.at) })}</p>
      {arrived === null ? (
        <p role="status" data-testid="followed-waiting">
          {t('followed.waiting')}
        </p>
      ) : (
        <>
          <p data-testid="followed-compare">
            {t('followed.compare', {
              old,
              held: balance(followed.held),
              given: balance(arrived.given),
            })}{' '}
            {arrived.given === followed.held ? t('followed.matches') : null}
          </p>
          {arrived.given !== followed.held ? (
            <p className="warning" role="alert">
              {t('followed.differs')}
            </p>
          ) : null}
          {!arrived.carriesFrom ? (
            <p className="warning" role="alert">
              {t('followed.notFrom', { old })}
            </p>
          ) : null}
        </>
      )}
      {asking ? (
        <div role="group" aria-label={t('followed.backLabel', { old })} className="actions">
          <p>{t('followed.backConfirm', { old })}</p>
          <button type="button" onClick={() => setAsking(false)} disabled={back.busy}>
            {t('common.cancel')}
          </button>
          <button type="button" onClick={() => back.run()} disabled={back.busy}>
            {t('followed.backButton', { old })}
          </button>
        </div>
      ) : (
        <button
          type="button"
          onClick={() => {
            back.reset();
            setAsking(true);
          }}
        >
          {t('followed.back', { old })}
        </button>
      )}
      {back.error !== null ? (
        <p className="error" role="alert">
          {t('followed.backFailed')} {describeError(back.error, t)}
        </p>
      ) : null}
    </section>
  );
}
