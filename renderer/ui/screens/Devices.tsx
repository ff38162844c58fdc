// Devices (docs/protocol.md §12): the identity's chains with what each holds, pairing a new
// device from a link, and revoking a lost one; and, for the wallet, the identity's money on all
// its devices. The engine (engine/devices.ts) does the work; this file only shows it.
import { useMemo, useState, type FormEvent } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import type { DeviceView } from '../../runtime/networkRuntime.ts';
import { addressOf } from '../../runtime/views.ts';
import { UserError } from '../../state/errors.ts';
import { parseAmount } from '../amount.ts';
import { CopyButton, ErrorText, Mono, Table, TextField, useAction } from '../components/common.tsx';
import { QrCode } from '../components/QrCode.tsx';
import { useApp, useI18n } from '../context.tsx';
import { useLedgerView } from '../useLedger.ts';

/** The devices as the engine lists them; null until the ledger has arrived. */
function useDevices(): DeviceView[] | null {
  const runtime = useApp((s) => s.runtime);
  const version = useApp((s) => s.ledgerVersion);
  return useMemo(
    () => (runtime?.ledger ? runtime.devices.list() : null),
    // `version` is the change signal: the runtime and its ledger stay the same objects.
    [runtime, version],
  );
}

export function DevicesPanel() {
  const { t } = useI18n();
  const devices = useDevices();
  const device = useApp((s) => s.device);
  const [done, setDone] = useState<string | null>(null);
  return (
    <section className="panel" aria-labelledby="devices-title">
      <h2 id="devices-title">{t('devices.title')}</h2>
      <p>{t('devices.intro')}</p>
      {devices === null ? (
        <p className="muted">{t('devices.notSynced')}</p>
      ) : (
        <DeviceTable devices={devices} canRevoke onRevoked={setDone} />
      )}
      {device !== null && devices !== null && !devices.some((d) => d.here) ? (
        <p className="muted">{t('devices.waiting', { name: device.name })}</p>
      ) : null}
      <p role="status" className="success">
        {done ?? ''}
      </p>
      {devices !== null ? (
        device !== null ? (
          <p className="muted">{t('devices.noWords')}</p>
        ) : (
          <PairForm />
        )
      ) : null}
    </section>
  );
}

function DeviceTable({
  devices,
  canRevoke,
  onRevoked,
}: {
  devices: readonly DeviceView[];
  canRevoke: boolean;
  onRevoked: (sentence: string | null) => void;
}) {
  const { t, amount, time } = useI18n();
  const revokeDevice = useApp((s) => s.revokeDevice);
  const [chosen, setChosen] = useState<KeyHex | null>(null);
  // The device as the ledger stands now: what it holds moves while the question is open.
  const confirming = devices.find((d) => d.key === chosen) ?? null;
  const revoke = useAction(async (target: DeviceView) => {
    onRevoked(null);
    await revokeDevice(target.key);
    setChosen(null);
    onRevoked(t('devices.revoke.done', { name: target.name }));
  });
  const when = (ms: number | null) => (ms === null ? t('devices.none') : time(ms));
  const state = (d: DeviceView) =>
    d.revoked === 'final'
      ? t('devices.state.revoked')
      : d.revoked === 'pending'
        ? t('devices.state.revoking')
        : t('devices.state.active');
  return (
    <>
      <Table
        caption={t('devices.caption')}
        testId="devices-table"
        columns={[
          { label: t('devices.col.name') },
          { label: t('devices.col.holds'), numeric: true },
          { label: t('devices.col.allowance'), numeric: true },
          { label: t('devices.col.added') },
          { label: t('devices.col.lastSeen') },
          { label: t('devices.col.state') },
          { label: t('common.actions'), hidden: true },
        ]}
      >
        {devices.map((d) => (
          <tr key={d.key} data-device={d.name} data-revoked={d.revoked ?? 'no'}>
            <td>
              {d.name} {d.here ? <strong>{t('devices.here')}</strong> : null}
            </td>
            <td className="num" data-testid="device-holds">
              {amount(d.holds)}
            </td>
            <td className="num">{d.original ? t('devices.none') : amount(d.allowance)}</td>
            <td>{when(d.added)}</td>
            <td>{when(d.lastSeen)}</td>
            <td>{state(d)}</td>
            <td>
              {canRevoke && !d.here && d.revoked === null ? (
                <button
                  type="button"
                  className="link"
                  aria-label={t('devices.revoke.label', { name: d.name })}
                  onClick={() => {
                    revoke.reset();
                    setChosen(d.key);
                  }}
                >
                  {t('devices.revoke')}
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </Table>
      {confirming !== null ? (
        <div className="confirm" role="group" aria-labelledby="revoke-title">
          <h3 id="revoke-title">{t('devices.revoke.title', { name: confirming.name })}</h3>
          <p className="warning">
            {confirming.original
              ? t('devices.revoke.toHere', { amount: amount(confirming.holds) })
              : t('devices.revoke.toOriginal', {
                  name: confirming.name,
                  amount: amount(confirming.holds),
                })}
          </p>
          <ErrorText error={revoke.error} />
          <div className="actions">
            <button type="button" onClick={() => setChosen(null)} disabled={revoke.busy}>
              {t('common.cancel')}
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => revoke.run(confirming)}
              disabled={revoke.busy}
            >
              {t('devices.revoke.confirm')}
            </button>
          </div>
        </div>
      ) : null}
    </>
  );
}

function PairForm() {
  const { t } = useI18n();
  const pairingLink = useApp((s) => s.pairingLink);
  const [name, setName] = useState('');
  const [allowance, setAllowance] = useState('0');
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    try {
      const parsed = parseAmount(allowance, { allowZero: true });
      if (!parsed.ok) throw new UserError(parsed.error);
      setLink(pairingLink(name, parsed.value));
      setError(null);
    } catch (failure) {
      setLink(null);
      setError(failure);
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="pair-title">
      <h3 id="pair-title">{t('devices.pair.title')}</h3>
      <p>{t('devices.pair.intro')}</p>
      <TextField
        id="pair-name"
        label={t('devices.pair.name')}
        placeholder="laptop"
        value={name}
        onChange={setName}
      />
      <TextField
        id="pair-allowance"
        label={t('devices.pair.allowance')}
        hint={t('devices.pair.allowanceHint')}
        inputMode="numeric"
        value={allowance}
        onChange={setAllowance}
      />
      <ErrorText error={error} />
      <div className="actions">
        <button type="submit" className="primary">
          {t('devices.pair.submit')}
        </button>
      </div>
      {link !== null ? (
        <div className="invite">
          <QrCode text={link} label={t('devices.pair.qr')} />
          <div>
            <p className="warning">{t('devices.pair.warning')}</p>
            <p>
              <Mono label={t('devices.pair.link')}>{link}</Mono>
            </p>
            <CopyButton text={link} label={t('devices.pair.copy')} />
            <button type="button" onClick={() => setLink(null)}>
              {t('devices.pair.hide')}
            </button>
          </div>
        </div>
      ) : null}
    </form>
  );
}

interface IdentityMoney {
  readonly identity: KeyHex;
  readonly total: bigint;
  readonly pending: bigint;
  readonly here: bigint;
  readonly devices: number;
}

const identityMoney = (ledger: Ledger, me: KeyHex): IdentityMoney => {
  const identity = ledger.identityOf(me);
  const view = ledger.identityAccount(identity);
  return {
    identity,
    total: view.available,
    pending: view.pending,
    here: ledger.spendable(me) + ledger.creditLineOf(me),
    devices: ledger.devicesOf(identity).length,
  };
};

/**
 * The identity's money on all its chains, and what this device can spend (for the wallet).
 * Nothing while the identity runs on one device only.
 */
export function IdentityBalance() {
  const { t, amount } = useI18n();
  const device = useApp((s) => s.device);
  const money = useLedgerView(identityMoney);
  if (money === null || (money.devices === 0 && device === null)) return null;
  return (
    <section className="panel" aria-labelledby="identity-balance-title">
      <h2 id="identity-balance-title">{t('wallet.identity.title')}</h2>
      {device !== null ? (
        <p>
          {t('wallet.identity.paired', { name: device.name, address: addressOf(device.account) })}
        </p>
      ) : null}
      <dl className="balances">
        <div>
          <dt>{t('wallet.identity.total')}</dt>
          <dd className="big" data-testid="identity-total">
            {amount(money.total)}
          </dd>
        </div>
        <div>
          <dt>{t('wallet.pending')}</dt>
          <dd data-testid="identity-pending">{amount(money.pending)}</dd>
        </div>
        <div>
          <dt>{t('wallet.identity.here')}</dt>
          <dd data-testid="device-spendable">{amount(money.here)}</dd>
        </div>
      </dl>
      <p className="hint">{t('wallet.identity.hint')}</p>
    </section>
  );
}
