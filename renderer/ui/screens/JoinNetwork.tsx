// Joining a network with an invitation link, after showing what the link is and asking for
// confirmation. Either kind of link: a reusable one carries the join secret; a single-use or
// time-limited one (docs/protocol.md §13.9) is redeemed with the inviter's app first, and
// nothing is saved unless the inviter lets this identity in.
import { useRef, useState } from 'react';
import type { Invitation } from '../../../shared/net/invitation.ts';
import type { JoinLink, TicketInvitation } from '../../../shared/net/ticket.ts';
import type { KnockStage } from '../../state/tickets.ts';
import {
  ErrorText,
  FormPanel,
  Mono,
  ScreenTitle,
  TextField,
  useAction,
} from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';
import { currentHash, navigateUnlessMoved } from '../router.tsx';
import { RelayField, useRelayAdder } from './RelayField.tsx';
import { SETUP_DRAFT } from './setupDrafts.ts';

export function JoinNetwork({
  text,
  onText,
  onCancel,
}: {
  /** The link as pasted, kept by the caller so that it survives leaving the screen. */
  text: string;
  onText: (text: string) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const checkJoinLink = useApp((s) => s.checkJoinLink);
  const [parsed, setParsed] = useState<JoinLink | null>(null);
  const [error, setError] = useState<unknown>(null);

  const check = (): void => {
    try {
      setParsed(checkJoinLink(text));
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  };

  if (parsed !== null) return <ConfirmJoin link={parsed} onCancel={() => setParsed(null)} />;
  return (
    <FormPanel
      title={t('join.title')}
      intro={t('join.intro')}
      onSubmit={check}
      submit={t('join.check')}
      back={{ label: t('common.back'), onClick: onCancel }}
      error={error}
    >
      <TextField
        id="invitation"
        label={t('join.label')}
        multiline
        verbatim
        value={text}
        onChange={onText}
      />
    </FormPanel>
  );
}

export function ConfirmJoin({ link, onCancel }: { link: JoinLink; onCancel: () => void }) {
  const { t } = useI18n();
  const joinNetwork = useApp((s) => s.joinNetwork);
  const joinWithTicket = useApp((s) => s.joinWithTicket);
  const dropDraft = useApp((s) => s.dropDraft);
  const ownRelays = useApp((s) => s.settings.relays);
  const relay = useRelayAdder();
  const [relayInput, setRelayInput] = useState('');
  const [stage, setStage] = useState<KnockStage | null>(null);
  // Resolving it stops a knock that is waiting for the inviter's answer.
  const stopWaiting = useRef<(() => void) | null>(null);
  const join = useAction(async () => {
    // Joining takes a while: a user who moves on meanwhile stays where they went.
    const from = currentHash();
    if (link.kind === 'secret') await joinNetwork(link.invitation);
    else {
      const cancelled = new Promise<void>((resolve) => (stopWaiting.current = resolve));
      await joinWithTicket(link.ticket, setStage, cancelled).finally(() => {
        stopWaiting.current = null;
        setStage(null);
      });
    }
    // Joined: the set-up has done its work (and the link it kept holds the join secret).
    dropDraft(SETUP_DRAFT.name);
    navigateUnlessMoved(from, 'network');
  });
  const waiting = join.busy && link.kind === 'ticket';
  const place: Pick<Invitation, 'networkId' | 'relays' | 'name'> =
    link.kind === 'secret' ? link.invitation : link.ticket;
  return (
    <section className="panel narrow" aria-labelledby="join-confirm-title">
      <ScreenTitle>
        <span id="join-confirm-title">{t('join.confirm.title')}</span>
      </ScreenTitle>
      <p>{t('join.confirm.intro')}</p>
      <dl className="summary">
        <dt>{t('join.confirm.name')}</dt>
        <dd>{place.name ?? t('join.confirm.unnamed')}</dd>
        <dt>{t('join.confirm.id')}</dt>
        <dd>
          <Mono>{place.networkId}</Mono>
        </dd>
        <dt>{t('join.confirm.relays')}</dt>
        <dd>
          {place.relays.length === 0 ? (
            t('join.confirm.noRelays')
          ) : (
            <ul className="plain">
              {place.relays.map((relay) => (
                <li key={relay}>
                  <Mono>{relay}</Mono>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      {place.relays.length === 0 && ownRelays.length === 0 ? (
        // Neither the link nor this app names a relay: nobody could be reached. Say so here.
        <RelayField
          id="join-relay"
          value={relayInput}
          onChange={setRelayInput}
          adder={relay}
          asForm
        />
      ) : null}
      {link.kind === 'ticket' ? <TicketTerms ticket={link.ticket} stage={stage} /> : null}
      <p className="muted">{t('join.confirm.note')}</p>
      <ErrorText error={join.error} />
      <div className="actions">
        {waiting ? (
          <button type="button" onClick={() => stopWaiting.current?.()}>
            {t('join.ticket.stop')}
          </button>
        ) : (
          <button type="button" onClick={onCancel} disabled={join.busy}>
            {t('common.cancel')}
          </button>
        )}
        <button type="button" className="primary" disabled={join.busy} onClick={() => join.run()}>
          {t('join.confirm.button')}
        </button>
      </div>
    </section>
  );
}

/** What a ticket link is, and how redeeming it is going. */
export function TicketTerms({
  ticket,
  stage,
}: {
  ticket: TicketInvitation;
  stage: KnockStage | null;
}) {
  const { t, time } = useI18n();
  return (
    <div data-testid="join-ticket">
      <p>
        {t(ticket.once ? 'join.ticket.kindOnce' : 'join.ticket.kindLimited')}{' '}
        {t('join.ticket.valid', { when: time(ticket.expires) })}
      </p>
      <p className="muted">{t('join.ticket.how')}</p>
      <p role="status" aria-live="polite" data-testid="join-ticket-progress">
        {stage !== null ? t(`join.ticket.${stage}`) : ''}
      </p>
    </div>
  );
}
