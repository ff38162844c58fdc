// Registering a service type from the UI. The form's draft is parsed through the ledger's own
// schema (serviceSchema in shared/dnec/bodies.ts), so the screen never submits a registration
// the ledger would refuse: each refusal becomes one sentence from the catalogue, and names the
// input at fault so the screen can put the focus there. The options and limits the form offers
// are read from the same schema.
import * as v from 'valibot';
import type { CborValue } from '../../shared/codec/cbor.ts';
import {
  FIELD_KINDS,
  MAX_FIELDS,
  serviceSchema,
  type FieldKind,
  type ServiceBody,
} from '../../shared/dnec/bodies.ts';
import type { TxId } from '../../shared/ids.ts';
import type { MessageKey, Params } from '../i18n/i18n.ts';
import type { Market } from '../../engine/market/market.ts';
import { asSentence, UserError } from '../state/errors.ts';

export { FIELD_KINDS, MAX_FIELDS };

/** The screen's route; `?registered=ID` shows a type just registered. */
export const SERVICE_TYPE_PATH = 'register-service';

/** The evaluation methods a registered type may use (the built-in 'auto' and 'execute' not). */
export const EVALUATIONS = serviceSchema.entries.evaluation.options;
/** The only negotiation policy and compensation rule the protocol has so far. */
export const NEGOTIATION = serviceSchema.entries.negotiation.literal;
export const COMPENSATION = serviceSchema.entries.compensation.literal;

function maxLengthOf(pipe: readonly unknown[]): number {
  for (const item of pipe) {
    if (
      typeof item === 'object' &&
      item !== null &&
      'type' in item &&
      item.type === 'max_length' &&
      'requirement' in item &&
      typeof item.requirement === 'number'
    )
      return item.requirement;
  }
  throw new Error('the service schema has no length limit here');
}

/** The longest name and unit the ledger takes, in characters. */
export const MAX_NAME = maxLengthOf(serviceSchema.entries.name.pipe);
export const MAX_UNIT = maxLengthOf(serviceSchema.entries.unit.pipe);

export interface FieldDraft {
  /** Names the row in the form (its inputs' ids); not part of the registration. */
  readonly id: number;
  readonly name: string;
  readonly kind: FieldKind;
  readonly sensitive: boolean;
  readonly required: boolean;
}

export interface ServiceTypeDraft {
  readonly name: string;
  readonly unit: string;
  readonly evaluation: string;
  readonly fields: readonly FieldDraft[];
}

export const blankField = (id: number): FieldDraft => ({
  id,
  name: '',
  kind: 'text',
  sensitive: false,
  required: false,
});

export const blankDraft = (): ServiceTypeDraft => ({
  name: '',
  unit: '',
  evaluation: EVALUATIONS[0],
  fields: [blankField(1)],
});

/** The ids of the form's inputs, so an error can point at one. */
export const inputId = {
  name: 'st-name',
  unit: 'st-unit',
  evaluation: (evaluation: string) => `st-eval-${evaluation}`,
  fieldName: (id: number) => `st-field-${id}-name`,
  fieldKind: (id: number) => `st-field-${id}-kind`,
  addField: 'st-add-field',
};

export type ParsedServiceType =
  | { readonly ok: true; readonly body: ServiceBody }
  | { readonly ok: false; readonly error: UserError; readonly target: string };

interface Problem {
  /** Where the input sits in the form: the first problem in form order is the one shown. */
  readonly rank: number;
  readonly key: MessageKey;
  readonly params?: Params;
  readonly target: string;
}

/** Parses the form into a registration body, exactly as the ledger will parse it. */
export function parseServiceType(draft: ServiceTypeDraft): ParsedServiceType {
  const parsed = v.safeParse(serviceSchema, {
    name: draft.name.trim(),
    unit: draft.unit.trim(),
    fields: draft.fields.map((field) => [
      field.name.trim(),
      field.kind,
      field.sensitive,
      field.required,
    ]),
    negotiation: NEGOTIATION,
    evaluation: draft.evaluation,
    compensation: COMPENSATION,
  });
  if (parsed.success) return { ok: true, body: parsed.output };
  const [first] = parsed.issues
    .map((issue) => problemOf(issue, draft))
    .sort((a, b) => a.rank - b.rank);
  // valibot reports at least one issue whenever parsing fails.
  const shown = first ?? invalid(0, 'the service type is not valid', inputId.name);
  return {
    ok: false,
    error: new UserError(shown.key, shown.params),
    target: shown.target,
  };
}

const invalid = (rank: number, detail: string, target: string): Problem => ({
  rank,
  key: 'serviceType.error.invalid',
  params: { detail: asSentence(detail) },
  target,
});

function problemOf(issue: v.BaseIssue<unknown>, draft: ServiceTypeDraft): Problem {
  const [top, index, part] = (issue.path ?? []).map((item) => item.key);
  if (top === 'name' || top === 'unit') {
    const rank = top === 'name' ? 0 : 1;
    const target = top === 'name' ? inputId.name : inputId.unit;
    if (issue.type === 'min_length') return { rank, key: `serviceType.error.${top}Empty`, target };
    if (issue.type === 'max_length')
      return {
        rank,
        key: `serviceType.error.${top}Long`,
        params: { max: top === 'name' ? MAX_NAME : MAX_UNIT },
        target,
      };
    return invalid(rank, issue.message, target);
  }
  if (top === 'evaluation')
    return {
      rank: 2,
      key: 'serviceType.error.evaluation',
      target: inputId.evaluation(EVALUATIONS[0]),
    };
  if (top !== 'fields') return invalid(3, issue.message, inputId.name);
  const last = draft.fields.at(-1);
  const lastTarget = last ? inputId.fieldName(last.id) : inputId.addField;
  if (index === undefined) {
    if (issue.type === 'max_length')
      return {
        rank: 3,
        key: 'serviceType.error.tooMany',
        params: { max: MAX_FIELDS, count: draft.fields.length },
        target: lastTarget,
      };
    const twin = duplicateOf(draft.fields);
    if (issue.type === 'check' && twin !== null) {
      return {
        rank: Number.MAX_SAFE_INTEGER,
        key: 'serviceType.error.duplicate',
        params: { first: twin.first + 1, n: twin.second + 1, name: twin.name },
        target: inputId.fieldName(draft.fields[twin.second]?.id ?? 0),
      };
    }
    return invalid(Number.MAX_SAFE_INTEGER, issue.message, lastTarget);
  }
  const at = typeof index === 'number' ? index : 0;
  const field = draft.fields[at];
  const rank = 10 + at * 4 + (typeof part === 'number' ? part : 0);
  const n = at + 1;
  if (field === undefined) return invalid(rank, issue.message, lastTarget);
  if (part === 0) {
    const name = field.name.trim();
    return name === ''
      ? {
          rank,
          key: 'serviceType.error.fieldNameEmpty',
          params: { n },
          target: inputId.fieldName(field.id),
        }
      : {
          rank,
          key: 'serviceType.error.fieldName',
          params: { n, name },
          target: inputId.fieldName(field.id),
        };
  }
  if (part === 1)
    return {
      rank,
      key: 'serviceType.error.fieldKind',
      params: { n },
      target: inputId.fieldKind(field.id),
    };
  return invalid(rank, issue.message, inputId.fieldName(field.id));
}

/** The first field whose name an earlier field already has. */
function duplicateOf(
  fields: readonly FieldDraft[],
): { first: number; second: number; name: string } | null {
  const seen = new Map<string, number>();
  for (const [i, field] of fields.entries()) {
    const name = field.name.trim();
    const earlier = seen.get(name);
    if (earlier !== undefined) return { first: earlier, second: i, name };
    seen.set(name, i);
  }
  return null;
}

/** The body as the transaction carries it. */
export function serviceTxBody(body: ServiceBody): Record<string, CborValue> {
  return { ...body, fields: body.fields.map((field) => [...field]) };
}

/** Signs and publishes the registration; its transaction id names the type from then on. */
export async function registerServiceType(market: Market, body: ServiceBody): Promise<TxId> {
  return (await market.registerService(serviceTxBody(body))).id;
}
