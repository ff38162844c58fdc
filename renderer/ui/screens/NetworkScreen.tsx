// The network this identity belongs to: how far the ledger has synced (final and pending), its
// members and witnesses, invitations for others (Invite.tsx), the peers and relays, and leaving.
import { useState } from 'react';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import { refoundings, refoundSentence } from '../../../shared/net/refound.ts';
import {
  ErrorText,
  Labelled,
  Mono,
  ProgressBar,
  ScreenTitle,
  Table,
  useAction,
} from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';
import { useLedgerView } from '../useLedger.ts';
import { BudgetLine } from './BudgetLine.tsx';
import { CheckpointLine } from './CheckpointLine.tsx';
import { InvitePanel } from './Invite.tsx';
import { MembersPanel } from './Members.tsx';
import { FollowedPanel, RefoundPanel } from './Refound.tsx';
import { WitnessesPanel } from './Witnesses.tsx';

export function NetworkScreen() {
  const { t } = useI18n();
  const network = useApp((s) => s.network);
  const networkError = useApp((s) => s.networkError);
  if (network === null) return null;
  return (
    <>
      <ScreenTitle>{network.name ?? t('network.unnamed')}</ScreenTitle>
      <p className="muted">
        <Labelled label={t('network.id')}>
          <Mono>{network.networkId}</Mono>
        </Labelled>
      </p>
      <ErrorText error={networkError} />
      <RefoundPanel />
      <FollowedPanel />
      <SyncPanel />
      <MembersPanel />
      <WitnessesPanel />
      <InvitePanel />
      <PeersPanel />
      <LeavePanel />
    </>
  );
}

/** The engine's re-founding sentences tell a CLI user what to run: RefoundPanel says it here. */
const refoundSentencesOf = (ledger: Ledger): Set<string> =>
  new Set(refoundings(ledger.indexes).map(refoundSentence));

function SyncPanel() {
  const { t, tn, number } = useI18n();
  const status = useApp((s) => s.status);
  const runtime = useApp((s) => s.runtime);
  const refounds = useLedgerView(refoundSentencesOf);
  const shownHere = (problem: string): boolean => refounds?.has(problem) !== true;
  if (status === null || runtime === null) {
    return (
      <section className="panel" aria-labelledby="sync-title">
        <h2 id="sync-title">{t('sync.title')}</h2>
        <p>{t('sync.stopped')}</p>
      </section>
    );
  }
  const counts = status.counts;
  const connected = status.connections.filter((p) => p.state === 'connected').length;
  return (
    <section className="panel" aria-labelledby="sync-title">
      <h2 id="sync-title">{t('sync.title')}</h2>
      <p role="status" data-testid="sync-state">
        {counts === null
          ? t('sync.waitingGenesis')
          : status.synced
            ? tn('sync.synced', connected)
            : connected > 0
              ? tn('sync.syncing', connected)
              : t('sync.alone')}
      </p>
      {status.problems.filter(shownHere).map((problem) => (
        <p key={problem} role="alert" className="error">
          {problem}
        </p>
      ))}
      {status.loading ? (
        <ProgressBar
          label={t('sync.loading')}
          done={status.loading.done}
          total={status.loading.total}
        />
      ) : null}
      {status.receiving ? (
        <ProgressBar
          label={t('sync.receiving')}
          done={status.receiving.done}
          total={status.receiving.total}
        />
      ) : null}
      {status.checking ? (
        <ProgressBar
          label={t('sync.checking')}
          done={status.checking.done}
          total={status.checking.total}
        />
      ) : null}
      {counts === null ? (
        <ProgressBar label={t('sync.waitingShort')} done={0} total={0} />
      ) : (
        <dl className="stats">
          <div>
            <dt>{t('sync.final')}</dt>
            <dd data-testid="count-final">{number(BigInt(counts.final))}</dd>
          </div>
          <div>
            <dt>{t('sync.pending')}</dt>
            <dd data-testid="count-pending">{number(BigInt(counts.pending))}</dd>
          </div>
          <div>
            <dt>{t('sync.waiting')}</dt>
            <dd>{number(BigInt(counts.waiting))}</dd>
          </div>
          <div>
            <dt>{t('sync.rejected')}</dt>
            <dd>{number(BigInt(counts.rejected))}</dd>
          </div>
        </dl>
      )}
      {counts !== null ? (
        // Votes are never pending in the counts (a witness's latest vote is covered by none).
        <ProgressBar
          label={t('sync.finality')}
          done={counts.final}
          total={counts.final + counts.pending}
        />
      ) : null}
      <CheckpointLine view={status.checkpoints} base={status.base} />
      <BudgetLine view={status.budget} />
    </section>
  );
}

function PeersPanel() {
  const { t, tn, number } = useI18n();
  const status = useApp((s) => s.status);
  const setOnline = useApp((s) => s.setOnline);
  const toggle = useAction((online: boolean) => setOnline(online));
  if (status === null) return null;
  return (
    <section className="panel" aria-labelledby="peers-title">
      <h2 id="peers-title">{t('peers.title')}</h2>
      <p>
        {status.online ? t('peers.online') : t('peers.offline')}{' '}
        <button type="button" onClick={() => toggle.run(!status.online)} disabled={toggle.busy}>
          {status.online ? t('peers.goOffline') : t('peers.goOnline')}
        </button>
      </p>
      <ErrorText error={toggle.error} />
      <h3>{t('peers.relays')}</h3>
      {status.relays.length === 0 ? (
        <p className="muted">{t('peers.noRelays')}</p>
      ) : (
        <ul className="plain">
          {status.relays.map((relay) => (
            <li key={relay.url}>
              <Mono>{relay.url}</Mono>{' '}
              <span className={relay.connected ? 'badge ok' : 'badge'}>
                {relay.connected ? t('peers.relayConnected') : t('peers.relayDisconnected')}
              </span>
            </li>
          ))}
        </ul>
      )}
      <h3>{t('peers.peers')}</h3>
      {status.connections.length === 0 ? (
        <p className="muted">{t('peers.none')}</p>
      ) : (
        <Table
          caption={t('peers.peers')}
          columns={[
            { label: t('peers.peer') },
            { label: t('peers.state') },
            { label: t('peers.received'), numeric: true },
            { label: t('peers.sent'), numeric: true },
          ]}
          testId="peers-table"
        >
          {status.connections.map((peer) => (
            <tr key={peer.id}>
              <td>
                <Mono>{peer.id.slice(0, 8)}</Mono>
              </td>
              <td>
                <span className={peer.state === 'connected' ? 'badge ok' : 'badge'}>
                  {peer.state === 'connected' ? t('peers.connected') : t('peers.connecting')}
                </span>
              </td>
              <td className="num">
                {peer.traffic
                  ? tn('peers.bytes', peer.traffic.bytesIn, {
                      bytes: number(BigInt(peer.traffic.bytesIn)),
                    })
                  : '—'}
              </td>
              <td className="num">
                {peer.traffic
                  ? tn('peers.bytes', peer.traffic.bytesOut, {
                      bytes: number(BigInt(peer.traffic.bytesOut)),
                    })
                  : '—'}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}

function LeavePanel() {
  const { t } = useI18n();
  const leaveNetwork = useApp((s) => s.leaveNetwork);
  const [asking, setAsking] = useState(false);
  const leave = useAction(() => leaveNetwork());
  return (
    <section className="panel" aria-labelledby="leave-title">
      <h2 id="leave-title">{t('leave.title')}</h2>
      <p>{t('leave.text')}</p>
      {asking ? (
        <div role="group" aria-label={t('leave.confirmLabel')} className="actions">
          <p>{t('leave.confirm')}</p>
          <button type="button" onClick={() => setAsking(false)} disabled={leave.busy}>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => leave.run()}
            disabled={leave.busy}
          >
            {t('leave.button')}
          </button>
        </div>
      ) : (
        <button type="button" onClick={() => setAsking(true)}>
          {t('leave.button')}
        </button>
      )}
      <ErrorText error={leave.error} />
    </section>
  );
}
