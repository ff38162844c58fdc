// Requesting a service, in three steps on one route: fill in the form, pick a provider from the
// negotiation table, confirm the escrow. Going back from either later step returns to the form
// as it was filled in (RequestForm.tsx keeps it).
import { useCallback, useState } from 'react';
import type { NegotiationResult } from '../../../../shared/dnec/negotiation.ts';
import type { KeyHex } from '../../../../shared/ids.ts';
import type { Ledger } from '../../../../shared/ledger/ledger.ts';
import { serviceById } from '../../../../shared/wallet/market.ts';
import { ScreenTitle } from '../../components/common.tsx';
import { useI18n } from '../../context.tsx';
import { useLedgerView } from '../../useLedger.ts';
import type { Draft } from './draft.ts';
import { EscrowConfirm } from './EscrowConfirm.tsx';
import { MarketGate } from './MarketGate.tsx';
import { Negotiation } from './Negotiation.tsx';
import { RequestForm } from './RequestForm.tsx';

type Step =
  | { readonly kind: 'form' }
  | { readonly kind: 'negotiate'; readonly draft: Draft; readonly result: NegotiationResult }
  | { readonly kind: 'confirm'; readonly draft: Draft; readonly provider: KeyHex };

export function RequestFlow({ serviceId }: { serviceId: string }) {
  const { t } = useI18n();
  const lookup = useCallback((ledger: Ledger) => serviceById(ledger, serviceId), [serviceId]);
  const def = useLedgerView(lookup);
  const [step, setStep] = useState<Step>({ kind: 'form' });
  if (def === null || def === undefined) {
    return (
      <>
        <ScreenTitle>{t('services.title')}</ScreenTitle>
        <MarketGate>
          <p className="muted">{t('instance.missing')}</p>
        </MarketGate>
      </>
    );
  }
  if (step.kind === 'negotiate')
    return (
      <Negotiation
        draft={step.draft}
        result={step.result}
        onBack={() => setStep({ kind: 'form' })}
        onChoose={(provider) => setStep({ kind: 'confirm', draft: step.draft, provider })}
      />
    );
  if (step.kind === 'confirm')
    return (
      <EscrowConfirm
        draft={step.draft}
        provider={step.provider}
        onBack={() => setStep({ kind: 'form' })}
      />
    );
  return (
    <RequestForm
      def={def}
      onNegotiated={(draft, result) => setStep({ kind: 'negotiate', draft, result })}
    />
  );
}
