// What `gpow negotiate|request|service register|evaluate` take on the command line, turned into
// the parameters the running peer's control methods expect (bigints travel as strings).
import type { ControlParams } from '../../shared/control/contract.ts';
import { BUILT_IN_SERVICES } from '../../shared/dnec/services.ts';
import { CliError } from './home.ts';
import { amountOf, keyOf } from './output.ts';

export const JOB_OPTIONS = {
  difficulty: { type: 'string' },
  data: { type: 'string' },
  fn: { type: 'string' },
  input: { type: 'string' },
  field: { type: 'string', multiple: true },
  volume: { type: 'string' },
  'max-rate': { type: 'string' },
  'min-reputation': { type: 'string' },
  exclude: { type: 'string', multiple: true },
  validators: { type: 'string' },
  fee: { type: 'string' },
  provider: { type: 'string' },
  within: { type: 'string' },
} as const;

const count = (text: string | undefined, what: string): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d{1,6}$/.test(text)) throw new CliError(`${what} must be a whole number`);
  return Number(text);
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Turns CLI options into the request parameters the peer expects (strings for bigints). */
export type Values = Record<string, string | boolean | string[] | undefined>;

/** A string option's value, or undefined. */
export const opt = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

export function requestParams(service: string, values: Values): ControlParams<'market-request'> {
  const def = BUILT_IN_SERVICES.get(service);
  const params: Mutable<ControlParams<'market-request'>> = { service };
  if (def?.form === 'pow') {
    const difficulty = count(opt(values, 'difficulty'), '--difficulty');
    if (difficulty === undefined) throw new CliError('a pow job needs --difficulty BITS');
    params.difficulty = difficulty;
    params.data = opt(values, 'data') ?? `gpow job ${Date.now()}`;
  } else if (def?.form === 'compute') {
    if (typeof values.fn !== 'string' || typeof values.input !== 'string') {
      throw new CliError('a compute job needs --fn NAME --input HEX');
    }
    params.fn = values.fn;
    params.input = values.input;
  } else {
    params.fields = Object.fromEntries(
      ((values.field as string[] | undefined) ?? []).map((pair) => {
        const at = pair.indexOf('=');
        if (at < 1) throw new CliError(`--field takes NAME=VALUE, got "${pair}"`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    );
    params.volume = String(amountOf(opt(values, 'volume') ?? ''));
  }
  for (const [option, key] of [
    ['max-rate', 'maxRate'],
    ['fee', 'fee'],
  ] as const) {
    const given = opt(values, option);
    if (given !== undefined) params[key] = String(amountOf(given));
  }
  if (values['min-reputation'] !== undefined)
    params.minReputation = count(values['min-reputation'] as string, '--min-reputation');
  if (values.validators !== undefined)
    params.validators = count(values.validators as string, '--validators');
  if (values.exclude) params.exclude = (values.exclude as string[]).map((a) => keyOf(a));
  const provider = opt(values, 'provider');
  if (provider !== undefined) params.provider = keyOf(provider);
  const within = opt(values, 'within');
  if (within !== undefined) {
    const parts = within.split(',').map((p) => count(p, '--within') ?? 0);
    const [accept, deliver, review, evaluate] = parts;
    if (
      parts.length !== 4 ||
      accept === undefined ||
      deliver === undefined ||
      review === undefined ||
      evaluate === undefined
    )
      throw new CliError('--within takes four numbers of seconds: accept,deliver,review,evaluate');
    params.within = [accept, deliver, review, evaluate];
  }
  return params;
}

const VERDICTS = ['approve', 'dispute', 'pass', 'fail'] as const;
export const isVerdict = (text: string | undefined): text is (typeof VERDICTS)[number] =>
  (VERDICTS as readonly (string | undefined)[]).includes(text);

/** NAME:text|number[:sensitive][:required] → [name, kind, sensitive, required]. */
export function fieldSpec(text: string): [string, string, boolean, boolean] {
  const [name, kind, ...flags] = text.split(':');
  if (
    !name ||
    (kind !== 'text' && kind !== 'number') ||
    flags.some((f) => f !== 'sensitive' && f !== 'required')
  ) {
    throw new CliError(`--field takes NAME:text|number[:sensitive][:required], got "${text}"`);
  }
  return [name, kind, flags.includes('sensitive'), flags.includes('required')];
}
