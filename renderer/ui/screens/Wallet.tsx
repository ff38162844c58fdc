// The wallet: balance (final and pending), receiving (address and QR code), and sending, with
// a confirmation step that shows exactly what will happen.
import { useEffect, useState, type FormEvent } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import { addressOf, historyOf } from '../../runtime/views.ts';
import {
  CopyButton,
  ErrorText,
  Mono,
  ScreenTitle,
  TextField,
  useAction,
} from '../components/common.tsx';
import { QrCode } from '../components/QrCode.tsx';
import { RecipientName, RecipientPicker } from '../components/RecipientPicker.tsx';
import { placeError } from '../fieldError.ts';
import { useApp, useI18n } from '../context.tsx';
import { Link } from '../router.tsx';
import { useLedgerView } from '../useLedger.ts';
import { draftKey, useDraft } from '../useDraft.ts';
import { IdentityBalance } from './Devices.tsx';
import { IdentityCard } from './IdentityCard.tsx';
import { paymentDraftOf, usePaymentOutlook, type PaymentDraft } from '../payment.ts';
import { PaymentReview } from './PaymentReview.tsx';
import { HistoryTable } from './History.tsx';

const accountView = (ledger: Ledger, me: KeyHex) => ledger.account(me);
const recentOf = (ledger: Ledger, me: KeyHex) => historyOf(ledger, me).slice(0, 5);

function NotSynced() {
  const { t } = useI18n();
  return (
    <p role="status" className="muted">
      {t('wallet.notSynced')} <Link to="network">{t('wallet.toNetwork')}</Link>
    </p>
  );
}

export function WalletScreen() {
  const { t, amount } = useI18n();
  const account = useLedgerView(accountView);
  const recent = useLedgerView(recentOf);
  return (
    <>
      <ScreenTitle>{t('wallet.title')}</ScreenTitle>
      {account === null ? (
        <NotSynced />
      ) : (
        <section className="panel" aria-labelledby="balance-title">
          <h2 id="balance-title">{t('wallet.balance')}</h2>
          <dl className="balances">
            <div>
              <dt>{t('wallet.available')}</dt>
              <dd className="big" data-testid="balance-available">
                {amount(account.available)}
              </dd>
            </div>
            <div>
              <dt>{t('wallet.pending')}</dt>
              <dd data-testid="balance-pending">{amount(account.pending)}</dd>
            </div>
            <div>
              <dt>{t('wallet.total')}</dt>
              <dd data-testid="balance-total">{amount(account.balance)}</dd>
            </div>
          </dl>
          <p className="hint">{t('wallet.pendingHint')}</p>
          {account.frozen ? <p className="error">{t('wallet.frozen')}</p> : null}
          <div className="actions">
            <a className="button primary" href="#/send">
              {t('nav.send')}
            </a>
            <a className="button" href="#/receive">
              {t('nav.receive')}
            </a>
          </div>
        </section>
      )}
      <IdentityBalance />
      <IdentityCard />
      {recent !== null ? (
        <section className="panel" aria-labelledby="recent-title">
          <h2 id="recent-title">{t('wallet.recent')}</h2>
          <HistoryTable entries={recent} caption={t('wallet.recent')} />
          <p>
            <Link to="history">{t('wallet.allHistory')}</Link>
          </p>
        </section>
      ) : null}
    </>
  );
}

/**
 * The address to be paid at: the identity's, also on a device paired from a link (payments to
 * the device's own key count too, but the identity's is the one to give out, protocol §12).
 */
function useReceiveAddress(): string | null {
  const address = useApp((s) => s.address);
  const device = useApp((s) => s.device);
  return device !== null ? addressOf(device.account) : address;
}

export function ReceiveScreen() {
  const { t } = useI18n();
  const address = useReceiveAddress();
  if (address === null) return null;
  return (
    <>
      <ScreenTitle>{t('receive.title')}</ScreenTitle>
      <section className="panel receive">
        <p>{t('receive.intro')}</p>
        <QrCode text={address} label={t('receive.qrLabel')} />
        <p>
          <Mono label={t('receive.addressLabel')}>{address}</Mono>
        </p>
        <CopyButton text={address} label={t('receive.copy')} />
      </section>
    </>
  );
}

/** The payment being typed on the Send screen (state/drafts.ts). */
const SEND_DRAFT = draftKey<{ to: string; amount: string; memo: string }>('send');

/** The address to pay, from #/send?to=… (the address book's "Pay" links). */
function prefilledRecipient(): string {
  const query = window.location.hash.split('?')[1] ?? '';
  return new URLSearchParams(query).get('to') ?? '';
}

export function SendScreen() {
  const { t, amount } = useI18n();
  const canSign = useApp((s) => s.canSign);
  const send = useApp((s) => s.send);
  const dropDraft = useApp((s) => s.dropDraft);
  const account = useLedgerView(accountView);
  // What is typed outlives the screen: looking someone up in the address book loses nothing.
  const [typed, setTyped] = useDraft(SEND_DRAFT, () => ({ to: '', amount: '', memo: '' }));
  const { to, amount: amountText, memo } = typed;
  const setTo = (value: string): void => setTyped((old) => ({ ...old, to: value }));
  const setAmountText = (value: string): void => setTyped((old) => ({ ...old, amount: value }));
  const setMemo = (value: string): void => setTyped((old) => ({ ...old, memo: value }));
  // A "Pay" link (#/send?to=…) names the recipient: it wins over one typed before.
  useEffect(() => {
    const named = prefilledRecipient();
    if (named !== '') setTyped((old) => ({ ...old, to: named }));
    // Once, on opening the screen: setTyped writes to the store under a fixed key.
  }, []);
  const [error, setError] = useState<unknown>(null);
  const [draft, setDraft] = useState<PaymentDraft | null>(null);
  const [sent, setSent] = useState<PaymentDraft | null>(null);
  const outlook = usePaymentOutlook(draft);
  const placed = placeError(error);
  const confirm = useAction(async (payment: PaymentDraft) => {
    await send(
      payment.to,
      payment.amount,
      payment.memo === '' ? undefined : new TextEncoder().encode(payment.memo),
    );
    setDraft(null);
    setSent(payment);
    dropDraft(SEND_DRAFT.name);
  });

  if (account === null) {
    return (
      <>
        <ScreenTitle>{t('send.title')}</ScreenTitle>
        <NotSynced />
      </>
    );
  }

  const review = (event: FormEvent): void => {
    event.preventDefault();
    try {
      const payment = paymentDraftOf(to, amountText, memo);
      setError(null);
      setSent(null);
      setDraft(payment);
    } catch (failure) {
      setError(failure);
    }
  };

  if (draft !== null && outlook !== null) {
    return (
      <PaymentReview
        draft={draft}
        outlook={outlook}
        busy={confirm.busy}
        error={confirm.error}
        onBack={() => setDraft(null)}
        onConfirm={() => confirm.run(draft)}
      />
    );
  }

  return (
    <>
      <ScreenTitle>{t('send.title')}</ScreenTitle>
      {sent !== null ? (
        <p role="status" className="success">
          {t('send.sent', { amount: amount(sent.amount) })}{' '}
          <Link to="history">{t('wallet.allHistory')}</Link>
        </p>
      ) : null}
      {!canSign ? <p className="warning">{t('error.cannotSign')}</p> : null}
      <form className="panel narrow" onSubmit={review} noValidate>
        <p>{t('send.available', { amount: amount(account.available) })}</p>
        <RecipientPicker
          id="send-contact"
          label={t('send.pickContact')}
          address={to}
          onChange={setTo}
        />
        <TextField
          id="send-to"
          label={t('send.to')}
          verbatim
          value={to}
          onChange={setTo}
          error={placed.at('send-to')}
        >
          <RecipientName address={to} testId="send-recipient" />
        </TextField>
        <TextField
          id="send-amount"
          label={t('send.amount')}
          inputMode="numeric"
          value={amountText}
          onChange={setAmountText}
          error={placed.at('send-amount')}
        />
        <TextField
          id="send-memo"
          label={t('send.memoOptional')}
          hint={t('send.memoHint')}
          value={memo}
          onChange={setMemo}
          error={placed.at('send-memo')}
        />
        <ErrorText error={placed.general} />
        <div className="actions">
          <button type="submit" className="primary" disabled={!canSign}>
            {t('send.review.button')}
          </button>
        </div>
      </form>
    </>
  );
}
