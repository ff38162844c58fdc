// What an instance carries beyond its summary: the private details sealed for us, the public
// form fields, and the delivery (its nonce or result hash, and the text when we can open it).
import { toHex } from '../../../../shared/bytes.ts';
import type { InstanceView } from '../../../../shared/dnec/queries.ts';
import type { PrivateParts } from '../../../../shared/wallet/market.ts';
import { Labelled, Mono } from '../../components/common.tsx';
import { useI18n } from '../../context.tsx';
import { fieldLabel } from '../../fieldLabel.ts';

/** The delivery body's parts, whichever the service form produced. */
export interface DeliveryBody {
  readonly nonce?: Uint8Array;
  readonly hash?: Uint8Array;
  readonly sealed?: Uint8Array;
}

function NamedValues({ values }: { values: Readonly<Record<string, string | number>> }) {
  return (
    <dl className="summary">
      {Object.entries(values).map(([name, value]) => (
        <div key={name}>
          <dt>{fieldLabel(name)}</dt>
          <dd>{String(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Delivery({
  body,
  text,
  party,
}: {
  body: DeliveryBody;
  text: string | undefined;
  party: boolean;
}) {
  const { t } = useI18n();
  return (
    <section className="panel" aria-labelledby="instance-delivery">
      <h2 id="instance-delivery">{t('instance.delivery')}</h2>
      {body.nonce ? <p>{t('instance.nonce', { nonce: toHex(body.nonce) })}</p> : null}
      {body.hash ? (
        <p data-testid="result-hash">
          <Labelled label={t('instance.resultHash')}>
            <Mono>{toHex(body.hash)}</Mono>
          </Labelled>
        </p>
      ) : null}
      {text !== undefined ? (
        <pre className="mono" data-testid="delivery-text">
          {text}
        </pre>
      ) : body.sealed ? (
        <p className="muted">{t(party ? 'instance.sealedUnread' : 'instance.sealedForParties')}</p>
      ) : null}
    </section>
  );
}

export function InstanceParts({
  view,
  parts,
  delivery,
  party,
}: {
  view: InstanceView;
  parts: PrivateParts;
  delivery: DeliveryBody | undefined;
  /** This identity is the consumer or the provider (a validator reads a dispute's copy instead). */
  party: boolean;
}) {
  const { t } = useI18n();
  const { request } = view;
  return (
    <>
      {parts.details !== undefined ? (
        <section className="panel" aria-labelledby="instance-details">
          <h2 id="instance-details">{t('instance.details')}</h2>
          <NamedValues values={parts.details} />
        </section>
      ) : null}
      {'fields' in request.body.job ? (
        <section className="panel" aria-labelledby="instance-fields">
          <h2 id="instance-fields">{request.service.name}</h2>
          <NamedValues values={request.body.job.fields} />
        </section>
      ) : null}
      {delivery !== undefined ? (
        <Delivery body={delivery} text={parts.delivery} party={party} />
      ) : null}
    </>
  );
}
