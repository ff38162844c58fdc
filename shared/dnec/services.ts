// The service type registry (whitepaper: S_i = {D, N, E, C}). Three types ship in code, one for
// each way work can be evaluated; more arrive as `service` registrations on the ledger, which
// compose the same building blocks with parameters (a form, a unit, an evaluation method).
import * as v from 'valibot';
import { expectedHashes } from './pow.ts';
import { computeCost, computeJobProblem } from './compute.ts';
import type { FieldKind, RequestBody, ServiceBody } from './bodies.ts';

/**
 * How the work is judged:
 * - `auto`: the ledger checks the result itself (pow: one hash); validators, if any, attest.
 * - `execute`: validators re-execute a built-in computation and compare result hashes.
 * - `review`: the consumer approves or disputes; validators vote only on a dispute.
 * - `vote`: validators vote on every delivery.
 */
export type Evaluation = 'auto' | 'execute' | 'review' | 'vote';

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly sensitive: boolean;
  readonly required: boolean;
}

export interface ServiceDef {
  /** The built-in name, or the registration transaction's id. */
  readonly id: string;
  readonly name: string;
  readonly unit: string;
  readonly form: 'pow' | 'compute' | 'fields';
  readonly evaluation: Evaluation;
  readonly fields: readonly FieldSpec[];
  readonly builtIn: boolean;
}

const TASK_FIELDS: readonly FieldSpec[] = [
  { name: 'title', kind: 'text', sensitive: false, required: true },
  { name: 'description', kind: 'text', sensitive: false, required: false },
  { name: 'details', kind: 'text', sensitive: true, required: false },
];

export const BUILT_IN_SERVICES: ReadonlyMap<string, ServiceDef> = new Map(
  (
    [
      {
        id: 'pow',
        name: 'General Proof of Work',
        unit: 'hashes',
        form: 'pow',
        evaluation: 'auto',
        fields: [],
      },
      {
        id: 'compute',
        name: 'Deterministic computation',
        unit: 'cost units',
        form: 'compute',
        evaluation: 'execute',
        fields: [],
      },
      {
        id: 'task',
        name: 'Human task',
        unit: 'hours',
        form: 'fields',
        evaluation: 'review',
        fields: TASK_FIELDS,
      },
    ] as const
  ).map((def) => [def.id, { ...def, builtIn: true }]),
);

/** The definition a `service` registration transaction declares. */
export function registeredService(id: string, body: ServiceBody): ServiceDef {
  return {
    id,
    name: body.name,
    unit: body.unit,
    form: 'fields',
    evaluation: body.evaluation,
    fields: body.fields.map(([name, kind, sensitive, required]) => ({
      name,
      kind,
      sensitive,
      required,
    })),
    builtIn: false,
  };
}

/** What is wrong with the request's job and volume for this service, or null. */
export function jobProblem(def: ServiceDef, request: RequestBody): string | null {
  const { job, volume } = request;
  if (def.form === 'pow') {
    if (!('difficulty' in job)) return 'a pow request needs { data, difficulty }';
    const expected = expectedHashes(job.difficulty);
    return volume === expected
      ? null
      : `a pow job of difficulty ${job.difficulty} has volume ${expected}`;
  }
  if (def.form === 'compute') {
    if (!('fn' in job)) return 'a compute request needs { fn, input }';
    const problem = computeJobProblem(job);
    if (problem !== null) return problem;
    const cost = computeCost(job);
    return volume === cost ? null : `this computation has volume ${cost}`;
  }
  if (!('fields' in job)) return `a ${def.name} request needs the form's fields`;
  return formProblem(def.fields, job.fields, job.sealed !== undefined);
}

function formProblem(
  specs: readonly FieldSpec[],
  fields: Readonly<Record<string, string | number>>,
  hasSealed: boolean,
): string | null {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  for (const [name, value] of Object.entries(fields)) {
    const spec = byName.get(name);
    if (!spec) return `the form has no field "${name}"`;
    if (spec.sensitive) return `"${name}" is sensitive: it must be sealed for the provider`;
    if ((spec.kind === 'number') !== (typeof value === 'number'))
      return `"${name}" must be ${spec.kind}`;
  }
  for (const spec of specs) {
    if (!spec.required) continue;
    if (spec.sensitive ? !hasSealed : !(spec.name in fields)) return `"${spec.name}" is required`;
  }
  return null;
}

/** What is wrong with m and k for this service, or null. k of m verdicts decide; k > m / 2. */
export function committeeProblem(
  def: ServiceDef,
  m: number,
  k: number,
  poolSize: number,
): string | null {
  if (m === 0) {
    if (k !== 0) return 'k must be 0 when no validators are drawn';
    return def.evaluation === 'auto' ? null : `${def.name} needs at least one validator`;
  }
  if (k > m || 2 * k <= m)
    return `k must be a majority of m (m = ${m}, so ${Math.floor(m / 2) + 1} to ${m})`;
  if (poolSize < m) return `the pool has ${poolSize} bonded validators; ${m} are needed`;
  return null;
}

/** Parses a service's public form input as the UI and CLI build it (text from the user). */
export function normaliseFields(
  def: ServiceDef,
  input: Readonly<Record<string, string>>,
):
  | { public: Record<string, string | number>; sensitive: Record<string, string> }
  | { error: string } {
  const out: Record<string, string | number> = {};
  const sensitive: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input)) {
    const spec = def.fields.find((f) => f.name === name);
    if (!spec) return { error: `${def.name} has no field "${name}"` };
    const text = raw.trim();
    if (text === '') continue;
    if (spec.sensitive) {
      sensitive[name] = text;
      continue;
    }
    if (spec.kind === 'number') {
      const parsed = v.safeParse(v.pipe(v.string(), v.regex(/^\d{1,15}$/)), text);
      if (!parsed.success) return { error: `"${name}" must be a whole number` };
      out[name] = Number(text);
    } else out[name] = text;
  }
  for (const spec of def.fields) {
    if (spec.required && !(spec.name in out) && !(spec.name in sensitive)) {
      return { error: `"${spec.name}" is required` };
    }
  }
  return { public: out, sensitive };
}
