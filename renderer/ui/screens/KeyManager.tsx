// The key manager (issue 18; docs/keys.md "In the app"): this install's identities
// (IdentitiesPanel.tsx, AddIdentity.tsx) and the open identity's networks, each with its own
// balance: which one is open, Switch and Forget for the others, and a way to join or create one
// more while the open one waits in the list.
import { useMemo } from 'react';
import type { Invitation } from '../../../shared/net/invitation.ts';
import { ErrorText, ScreenTitle, useAction } from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';
import { navigate } from '../router.tsx';
import { AddIdentityPanel } from './AddIdentity.tsx';
import { IdentitiesPanel } from './IdentitiesPanel.tsx';

const nameOf = (network: Invitation): string => network.name ?? network.networkId.slice(0, 12);

function NetworkRow({ network, open }: { network: Invitation; open: boolean }) {
  const { t } = useI18n();
  const switchNetwork = useApp((s) => s.switchNetwork);
  const forgetOtherNetwork = useApp((s) => s.forgetOtherNetwork);
  const act = useAction((run: () => Promise<void> | void) => run());
  const name = nameOf(network);
  return (
    <li data-testid={`network-${name}`}>
      <span>{open ? t('keys.networks.open', { name }) : name}</span>{' '}
      {open ? null : (
        <>
          <button
            type="button"
            disabled={act.busy}
            onClick={() => act.run(() => switchNetwork(network.networkId))}
          >
            {t('keys.networks.switchTo', { name })}
          </button>{' '}
          <button
            type="button"
            disabled={act.busy}
            onClick={() => act.run(() => forgetOtherNetwork(network.networkId))}
          >
            {t('keys.networks.forget', { name })}
          </button>
        </>
      )}
      <ErrorText error={act.error} />
    </li>
  );
}

function NetworksPanel() {
  const { t } = useI18n();
  const open = useApp((s) => s.network);
  const version = useApp((s) => s.networksVersion);
  const knownNetworks = useApp((s) => s.knownNetworks);
  const setNetworkAside = useApp((s) => s.setNetworkAside);
  // Read again whenever the open network or the list changes.
  const networks = useMemo(() => knownNetworks(), [knownNetworks, open, version]);
  const another = useAction(async () => {
    await setNetworkAside();
    navigate('network');
  });
  return (
    <section className="panel" aria-labelledby="networks-title">
      <h2 id="networks-title">{t('keys.networks.title')}</h2>
      {networks.length === 0 ? (
        <p className="muted">{t('keys.networks.none')}</p>
      ) : (
        <ul className="list" aria-label={t('keys.networks.title')}>
          {networks.map((network) => (
            <NetworkRow
              key={network.networkId}
              network={network}
              open={network.networkId === open?.networkId}
            />
          ))}
        </ul>
      )}
      <p className="muted">{t('keys.networks.forgetHint')}</p>
      <p className="muted">{t('keys.networks.addHint')}</p>
      <button type="button" disabled={another.busy} onClick={() => another.run()}>
        {t('keys.networks.add')}
      </button>
      <ErrorText error={another.error} />
    </section>
  );
}

export function KeyManagerScreen() {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle>{t('keys.title')}</ScreenTitle>
      <p>{t('keys.intro')}</p>
      <IdentitiesPanel />
      <NetworksPanel />
      <AddIdentityPanel />
    </>
  );
}
