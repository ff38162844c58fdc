// What a drawn validator reads of a disputed delivery (docs/protocol.md §11.8): the copy the
// consumer sealed for it, whether that copy matches the hash the provider signed, and the
// request's private details; or, when it cannot read it, one sentence saying why.
import { fromUtf8 } from '../../../../shared/bytes.ts';
import { evidenceDetails, type EvidenceReading } from '../../../../shared/dnec/evidence.ts';
import { useI18n } from '../../context.tsx';
import { fieldLabel } from '../../fieldLabel.ts';

export type DisputeReading = EvidenceReading | { readonly ok: false; readonly gap: 'no-dispute' };

/** Text as sent; a result that is not UTF-8 text is shown as bytes would be, never dropped. */
function resultText(bytes: Uint8Array): string {
  try {
    return fromUtf8(bytes);
  } catch {
    return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  }
}

/** The copy and its check, without a heading (the validator's table cell and the instance page). */
export function EvidenceBody({ reading }: { reading: DisputeReading }) {
  const { t } = useI18n();
  if (!reading.ok) {
    if (reading.gap === 'no-dispute') return null;
    return (
      <p className="muted" data-testid="evidence-gap">
        {t(`instance.gap.${reading.gap}`)}
      </p>
    );
  }
  const details = evidenceDetails(reading.details);
  return (
    <>
      <pre className="mono" data-testid="evidence-text">
        {resultText(reading.result)}
      </pre>
      <p data-testid="evidence-check">
        {t(reading.matches ? 'instance.evidenceMatches' : 'instance.evidenceMismatch')}
      </p>
      {details && Object.keys(details).length > 0 ? (
        <>
          <p>{t('instance.evidenceDetails')}</p>
          <dl className="summary">
            {Object.entries(details).map(([name, value]) => (
              <div key={name}>
                <dt>{fieldLabel(name)}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
    </>
  );
}

/** The instance page's section for a drawn validator of a disputed delivery. */
export function DisputeEvidence({ reading }: { reading: DisputeReading | undefined }) {
  const { t } = useI18n();
  if (!reading || (!reading.ok && reading.gap === 'no-dispute')) return null;
  return (
    <section className="panel" aria-labelledby="instance-evidence">
      <h2 id="instance-evidence">{t('instance.evidence')}</h2>
      <EvidenceBody reading={reading} />
    </section>
  );
}
