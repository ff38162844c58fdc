// The Network screen's Invite panel: the reusable invitation (link and QR code), or a
// single-use or time-limited one (docs/protocol.md §13.9) that this app hands the join secret
// over for while it stays open; the invitations given out (Tickets.tsx); and, for a witness, a
// new join secret (§13.8).
import { useState } from 'react';
import { formatInvitation, MAX_RELAYS } from '../../../shared/net/invitation.ts';
import { mayRotate, rotateJoinSecret } from '../../runtime/witnesses.ts';
import { connectionRelays } from '../../state/appStore.ts';
import { UserError } from '../../state/errors.ts';
import {
  LIMITED_DEFAULT,
  ONCE_DEFAULT,
  TICKET_DURATIONS,
  type MadeTicket,
  type TicketDuration,
} from '../../state/tickets.ts';
import { CopyButton, ErrorText, Mono, useAction } from '../components/common.tsx';
import { QrCode } from '../components/QrCode.tsx';
import { useApp, useI18n } from '../context.tsx';
import { Link } from '../router.tsx';
import { TicketList } from './Tickets.tsx';

export const INVITE_KINDS = ['reusable', 'once', 'limited'] as const;
export type InviteKind = (typeof INVITE_KINDS)[number];
const DURATIONS = Object.keys(TICKET_DURATIONS) as TicketDuration[];

export function InvitePanel() {
  const { t } = useI18n();
  const network = useApp((s) => s.network);
  const settings = useApp((s) => s.settings);
  const [kind, setKind] = useState<InviteKind>('reusable');
  if (network === null) return null;
  const relays = connectionRelays(settings, network).slice(0, MAX_RELAYS);
  return (
    <section className="panel" aria-labelledby="invite-title">
      <h2 id="invite-title">{t('invite.title')}</h2>
      <p>{t('invite.intro')}</p>
      {relays.length === 0 ? (
        <p className="warning">
          {t('invite.noRelay')} <Link to="settings">{t('invite.toSettings')}</Link>
        </p>
      ) : null}
      <fieldset>
        <legend>{t('invite.kind')}</legend>
        {INVITE_KINDS.map((value) => (
          <label key={value} className="check">
            <input
              type="radio"
              name="invite-kind"
              value={value}
              checked={kind === value}
              onChange={() => setKind(value)}
            />
            {t(`invite.kind.${value}`)}
          </label>
        ))}
        <p className="hint">{t(`invite.kind.${kind}Hint`)}</p>
      </fieldset>
      {kind === 'reusable' ? (
        <ReusableLink relays={relays} />
      ) : (
        <TicketMaker key={kind} once={kind === 'once'} />
      )}
      <TicketList />
      <NewJoinSecret />
    </section>
  );
}

/** Today's invitation: the join secret itself, so it works until the secret changes. */
function ReusableLink({ relays }: { relays: readonly string[] }) {
  const { t } = useI18n();
  const network = useApp((s) => s.network);
  if (network === null) return null;
  let link: string | null = null;
  let error: unknown = null;
  try {
    link = formatInvitation({ ...network, relays: [...relays] });
  } catch (failure) {
    error = failure;
  }
  return (
    <>
      <ErrorText error={error} />
      {link !== null ? (
        <div className="invite">
          <QrCode text={link} label={t('invite.qrLabel')} />
          <div>
            <p>
              <Mono label={t('invite.linkLabel')}>{link}</Mono>
            </p>
            <CopyButton text={link} label={t('invite.copy')} />
            <p className="warning">{t('invite.secret')}</p>
          </div>
        </div>
      ) : null}
    </>
  );
}

/** A single-use or time-limited link, made when asked: its door opens at once. */
function TicketMaker({ once }: { once: boolean }) {
  const { t } = useI18n();
  const createTicket = useApp((s) => s.createTicket);
  const [duration, setDuration] = useState<TicketDuration>(once ? ONCE_DEFAULT : LIMITED_DEFAULT);
  const [made, setMade] = useState<MadeTicket | null>(null);
  const make = useAction(() => {
    setMade(createTicket({ once, duration }));
  });
  return (
    <div data-testid="ticket-maker">
      <p className="warning">{t('invite.keepOpen')}</p>
      <div className="field inline">
        <label htmlFor="invite-expiry">{t('invite.expiry')}</label>
        <select
          id="invite-expiry"
          value={duration}
          onChange={(e) => setDuration(e.target.value as TicketDuration)}
        >
          {DURATIONS.map((value) => (
            <option key={value} value={value}>
              {t(`invite.expiry.${value}`)}
            </option>
          ))}
        </select>
        <button type="button" className="primary" onClick={() => make.run()} disabled={make.busy}>
          {t('invite.make')}
        </button>
      </div>
      <ErrorText error={make.error} />
      {made !== null ? <TicketLink made={made} /> : null}
    </div>
  );
}

/** A ticket link just made, with its QR code: shown once, as the CLI prints it once. */
export function TicketLink({ made }: { made: MadeTicket }) {
  const { t, time } = useI18n();
  return (
    <div className="invite" data-testid="ticket-link">
      <QrCode text={made.link} label={t('invite.ticketQrLabel')} />
      <div>
        <p role="status" className="success">
          {t(made.once ? 'invite.made.once' : 'invite.made.limited', { when: time(made.expires) })}
        </p>
        <p>
          <Mono label={t('invite.ticketLabel')}>{made.link}</Mono>
        </p>
        <CopyButton text={made.link} label={t('invite.copy')} />
        <p className="warning">{t(made.once ? 'invite.ticketSecret' : 'invite.secret')}</p>
      </div>
    </div>
  );
}

/**
 * For a witness: a new join secret, after a confirmation. The engine seals it to every member's
 * devices and the store keeps it (appStore's onSecret), so the invitation above carries it.
 */
function NewJoinSecret() {
  const { t, tn } = useI18n();
  const runtime = useApp((s) => s.runtime);
  const me = useApp((s) => s.key);
  // Read on every ledger change: becoming or ceasing to be a witness shows or hides this.
  useApp((s) => s.ledgerVersion);
  const [asking, setAsking] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const rotate = useAction(async () => {
    if (runtime === null) throw new UserError('witnesses.notSyncedError');
    const rotation = await rotateJoinSecret(runtime);
    setAsking(false);
    setDone(tn('invite.rotated', rotation.recipients));
  });
  const canRotate = mayRotate(runtime?.ledger ?? null, me);
  if (!canRotate && done === null) return null;
  return (
    <div data-testid="invite-rotate">
      <p role="status" className="success">
        {done ?? ''}
      </p>
      {canRotate && !asking ? (
        <button
          type="button"
          onClick={() => {
            setDone(null);
            setAsking(true);
          }}
        >
          {t('invite.rotate')}
        </button>
      ) : null}
      {canRotate && asking ? (
        <div className="confirm" role="group" aria-labelledby="rotate-title">
          <h3 id="rotate-title">{t('invite.rotate.title')}</h3>
          <p data-testid="rotate-confirm">{t('invite.rotate.confirm')}</p>
          <ErrorText error={rotate.error} />
          <div className="actions">
            <button type="button" onClick={() => setAsking(false)} disabled={rotate.busy}>
              {t('common.cancel')}
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => rotate.run()}
              disabled={rotate.busy}
            >
              {t('invite.rotate.button')}
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
