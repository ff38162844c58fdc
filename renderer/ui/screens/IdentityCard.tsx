// The identity card (docs/keys.md): what this identity shows the world, on the wallet screen.
// Its address, the display name it signed on this network (docs/profiles.md), and a QR code of
// the address, the same card as `gpow identity card`. Nothing on it is secret.
import { useCallback } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import { shownName } from '../../../shared/identity/displayName.ts';
import { latestProfile } from '../../../shared/identity/profile.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import { addressOf } from '../../runtime/views.ts';
import { CopyButton, Mono } from '../components/common.tsx';
import { QrCode } from '../components/QrCode.tsx';
import { useApp, useI18n } from '../context.tsx';
import { Link } from '../router.tsx';
import { useLedgerView } from '../useLedger.ts';

/**
 * The identity's key: its own, also on a device paired from a link (the identity's is the one
 * to give out, protocol §12).
 */
function useIdentityKey(): KeyHex | null {
  const key = useApp((s) => s.key);
  const device = useApp((s) => s.device);
  return device !== null ? device.account : key;
}

export function IdentityCard() {
  const { t } = useI18n();
  const key = useIdentityKey();
  const nameOf = useCallback(
    (ledger: Ledger) => {
      const profile = key === null ? null : latestProfile(ledger, key);
      return profile ? shownName(profile.body.name) : null;
    },
    [key],
  );
  const name = useLedgerView(nameOf);
  if (key === null) return null;
  const address = addressOf(key);
  return (
    <section className="panel receive" aria-labelledby="card-title" data-testid="identity-card">
      <h2 id="card-title">{t('wallet.card.title')}</h2>
      <p className="hint">{t('wallet.card.intro')}</p>
      <dl>
        <div>
          <dt>{t('wallet.card.name')}</dt>
          <dd data-testid="card-name">
            {name ?? (
              <>
                {t('wallet.card.noName')} <Link to="network">{t('wallet.card.setName')}</Link>
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('wallet.yourAddress')}</dt>
          <dd>
            <Mono>{address}</Mono>
          </dd>
        </div>
      </dl>
      <QrCode text={address} label={t('receive.qrLabel')} />
      <CopyButton text={address} label={t('receive.copy')} />
    </section>
  );
}
