// An address a person either picks from the members the directory knows, or types: the form for
// a new witness and for a member to admit share it (Witnesses.tsx, Members.tsx).
import type { Member } from '../../../shared/wallet/members.ts';
import { TextField } from '../components/common.tsx';

export interface AddressPickerText {
  readonly pick: string;
  readonly pickNone: string;
  readonly address: string;
  readonly hint: string;
  readonly review: string;
}

export function AddressPicker(props: {
  /** Distinguishes the fields' ids when two pickers could be on one page. */
  readonly idPrefix: string;
  readonly candidates: readonly Member[];
  readonly text: AddressPickerText;
  readonly address: string;
  readonly onChange: (address: string) => void;
  readonly onReview: () => void;
}) {
  const { idPrefix, candidates, text } = props;
  return (
    <>
      {candidates.length > 0 ? (
        <div className="field">
          <label htmlFor={`${idPrefix}-pick`}>{text.pick}</label>
          <select
            id={`${idPrefix}-pick`}
            value={props.address}
            onChange={(event) => props.onChange(event.target.value)}
          >
            <option value="">{text.pickNone}</option>
            {candidates.map((m) => (
              <option key={m.key} value={m.address}>
                {m.label}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <TextField
        id={`${idPrefix}-address`}
        label={text.address}
        hint={text.hint}
        value={props.address}
        onChange={props.onChange}
        verbatim
      />
      <div className="actions">
        <button type="button" onClick={props.onReview}>
          {text.review}
        </button>
      </div>
    </>
  );
}
