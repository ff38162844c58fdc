// Private messages: share a key (SSK) with a contact once, on the ledger, then chat and send
// files directly between the two devices over the private channel, encrypted with that key.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import type { ChatMessage, TransferView } from '../../../engine/ssk.ts';
import { accountOf } from '../account.ts';
import {
  ErrorText,
  ProgressBar,
  ScreenTitle,
  TextField,
  useAction,
  FormFooter,
} from '../components/common.tsx';
import { Party, usePartyName } from '../components/party.tsx';
import { RecipientName, RecipientPicker } from '../components/RecipientPicker.tsx';
import { placeError } from '../fieldError.ts';
import { useApp, useI18n } from '../context.tsx';
import type { MessageKey } from '../../i18n/i18n.ts';
import { UserError } from '../../state/errors.ts';
import { MarketGate } from './Services.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { useMarkRead, useUnread } from '../awareness.ts';

export function MessagesScreen() {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle>{t('messages.title')}</ScreenTitle>
      <MarketGate>
        <Messages />
      </MarketGate>
    </>
  );
}

/** The share form's address refusals are said under its address field. */
const SHARE_FIELDS = { 'share-to': ['address.error.'] };

function Messages() {
  const { t, tn } = useI18n();
  const ssk = useApp((s) => s.ssk);
  const version = useApp((s) => s.ledgerVersion);
  const nameOf = usePartyName();
  const unread = useUnread();
  const [to, setTo] = useState('');
  const [partner, setPartner] = useState<KeyHex | null>(null);
  const [shared, setShared] = useState(false);
  const share = useAction(async (key: KeyHex) => {
    await ssk!.share(key);
    setShared(true);
    setPartner(key);
  });
  const [formError, setFormError] = useState<unknown>(null);
  // `version` is the change signal: the session object itself stays the same.
  const partners = useMemo(() => ssk?.partners() ?? [], [ssk, version]);
  if (ssk === null) return null;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setShared(false);
    try {
      const key = accountOf(to);
      setFormError(null);
      share.run(key);
    } catch (error) {
      setFormError(error);
    }
  };
  return (
    <>
      <p>{t('messages.intro')}</p>
      {!ssk.canOpen ? <p className="warning">{t('messages.cannotOpen')}</p> : null}
      <section className="panel" aria-labelledby="share-title">
        <h2 id="share-title">{t('messages.share')}</h2>
        <form onSubmit={submit} noValidate>
          <RecipientPicker
            id="share-contact"
            label={t('messages.pickContact')}
            address={to}
            onChange={setTo}
          />
          <TextField
            id="share-to"
            label={t('messages.shareWith')}
            verbatim
            value={to}
            onChange={setTo}
            error={placeError(formError, SHARE_FIELDS).at('share-to')}
          >
            <RecipientName address={to} />
          </TextField>
          <FormFooter
            error={placeError(formError, SHARE_FIELDS).general ?? share.error}
            done={shared ? t('messages.shared') : null}
            busy={share.busy}
            submit={t('messages.shareButton')}
          />
        </form>
      </section>
      <section className="panel" aria-labelledby="partners-title">
        <h2 id="partners-title">{t('messages.partners')}</h2>
        {partners.length === 0 ? (
          <EmptyState
            text={t('messages.noPartners')}
            steps={[{ to: 'contacts', label: t('messages.noPartners.contacts') }]}
          />
        ) : (
          <ul className="list" data-testid="partners">
            {partners.map((key) => {
              const current = ssk.current(key);
              const name = nameOf(key);
              return (
                <li key={key}>
                  <Party account={key} />
                  {current ? (
                    <span className="badge">{t('messages.epoch', { epoch: current.epoch })}</span>
                  ) : null}
                  {unread[key] ? (
                    <span className="badge new">{tn('messages.unread', unread[key])}</span>
                  ) : null}
                  {ssk.canOpen ? (
                    <button
                      type="button"
                      aria-pressed={partner === key}
                      onClick={() => setPartner(key)}
                    >
                      {t('messages.openWith', { name })}
                    </button>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
      </section>
      {partner !== null && ssk.canOpen ? <Conversation partner={partner} /> : null}
    </>
  );
}

/** The chat with one partner, named as everywhere else: your label, their signed name, or an address. */
export function Conversation({ partner }: { partner: KeyHex }) {
  const { t, tn } = useI18n();
  const ssk = useApp((s) => s.ssk);
  const me = useApp((s) => s.key);
  const version = useApp((s) => s.ledgerVersion);
  const nameOf = usePartyName();
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<unknown>(null);
  // `version` is the change signal: the session object itself stays the same.
  const conversation = useMemo(() => ssk?.conversation(partner) ?? null, [ssk, partner, version]);
  useMarkRead(partner, conversation?.messages);
  const sendFile = useAction(async (chosen: File) => {
    const bytes = new Uint8Array(await chosen.arrayBuffer());
    ssk!.sendFile(partner, chosen.name, bytes);
    setFile(null);
  });
  useEffect(() => setError(null), [partner]);
  if (ssk === null) return null;
  const name = nameOf(partner);
  const send = (event: FormEvent): void => {
    event.preventDefault();
    try {
      if (text.trim() === '') throw new UserError('messages.empty');
      ssk.sendText(partner, text);
      setText('');
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  };
  const submitFile = (event: FormEvent): void => {
    event.preventDefault();
    if (file === null) return setError(new UserError('messages.noFile'));
    setError(null);
    sendFile.run(file);
  };
  return (
    <section className="panel" aria-labelledby="conversation-title">
      <h2 id="conversation-title">{t('messages.with', { name })}</h2>
      {/* The title names them; their address is one click away here. */}
      <p data-testid="conversation-party">
        <Party account={partner} />
      </p>
      {conversation ? (
        <p className="muted" role="status">
          {tn('messages.connected', conversation.connected)}
        </p>
      ) : null}
      <h3 id="log-title">{t('messages.log')}</h3>
      {conversation?.problems.map((problem) => (
        <p className="warning" key={problem}>
          {problem}
        </p>
      ))}
      {conversation === null || conversation.messages.length === 0 ? (
        <p className="muted">{t('messages.noMessages')}</p>
      ) : (
        <ol className="plain" aria-labelledby="log-title" aria-live="polite" data-testid="chat-log">
          {conversation.messages.map((message) => (
            <li key={message.id} data-state={message.state}>
              <strong>{message.from === me ? t('party.you') : name}:</strong> {message.text}{' '}
              <MessageState message={message} />
            </li>
          ))}
        </ol>
      )}
      <form onSubmit={send} noValidate>
        <TextField id="chat-text" label={t('messages.text')} value={text} onChange={setText} />
        <div className="actions">
          <button type="submit" className="primary">
            {t('messages.send')}
          </button>
        </div>
      </form>
      <form onSubmit={submitFile} noValidate>
        <div className="field">
          <label htmlFor="chat-file">{t('messages.file')}</label>
          <input
            id="chat-file"
            type="file"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </div>
        <div className="actions">
          <button type="submit" disabled={sendFile.busy}>
            {t('messages.sendFile')}
          </button>
        </div>
      </form>
      <ErrorText error={error ?? sendFile.error} />
      {conversation !== null && conversation.transfers.length > 0 ? (
        <>
          <h3>{t('messages.transfers')}</h3>
          <ul className="plain" data-testid="transfers">
            {conversation.transfers.map((transfer) => (
              <Transfer key={transfer.id} transfer={transfer} />
            ))}
          </ul>
        </>
      ) : null}
      {conversation !== null && conversation.refused > 0 ? (
        <p className="warning">{tn('messages.refused', conversation.refused)}</p>
      ) : null}
    </section>
  );
}

/** When, and where it stands: sent, delivered, failed (with why), received. */
function MessageState({ message }: { message: ChatMessage }) {
  const { t } = useI18n();
  return (
    <span className="muted">
      <time dateTime={new Date(message.time).toISOString()}>
        {new Date(message.time).toLocaleString()}
      </time>
      {' · '}
      {t(`messages.state.${message.state}`)}
      {message.why ? ` (${message.why})` : null}
    </span>
  );
}

/** What a transfer says: under way with its progress, or how it ended. */
function transferLabel(transfer: TransferView): MessageKey {
  if (transfer.state === 'failed') return 'messages.transferFailed';
  if (transfer.direction === 'out')
    return transfer.state === 'delivered' ? 'messages.fileDelivered' : 'messages.fileSent';
  return transfer.complete ? 'messages.fileReceived' : 'messages.receiving';
}

function Transfer({ transfer }: { transfer: TransferView }) {
  const { t } = useI18n();
  // Made in the effect, not a memo: StrictMode runs an effect's cleanup and the effect again,
  // and a URL made once in a memo would stay revoked (saving failed under `npm run web`).
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!transfer.bytes) return;
    const made = URL.createObjectURL(new Blob([transfer.bytes as Uint8Array<ArrayBuffer>]));
    setUrl(made);
    return () => {
      URL.revokeObjectURL(made);
      setUrl(null);
    };
  }, [transfer.bytes]);
  const label = t(transferLabel(transfer), { name: transfer.name, why: transfer.why ?? '' });
  return (
    <li data-complete={transfer.complete} data-state={transfer.state}>
      {transfer.state === 'receiving' ? (
        <ProgressBar label={label} done={transfer.done} total={transfer.total} />
      ) : (
        <p>{label}</p>
      )}
      {url !== null ? (
        <a href={url} download={transfer.name}>
          {t('messages.download', { name: transfer.name })}
        </a>
      ) : null}
    </li>
  );
}
