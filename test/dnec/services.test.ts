// The service catalogue: built-in definitions, registered ones, and how form input from a user
// (the CLI or the UI) is normalised to a service's schema.
import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_SERVICES,
  committeeProblem,
  jobProblem,
  normaliseFields,
  registeredService,
} from '../../shared/dnec/services.ts';
import type { RequestBody } from '../../shared/dnec/bodies.ts';

const task = BUILT_IN_SERVICES.get('task')!;
const pow = BUILT_IN_SERVICES.get('pow')!;
const compute = BUILT_IN_SERVICES.get('compute')!;
const repair = registeredService('ab'.repeat(32), {
  name: 'Bike repair',
  unit: 'repairs',
  fields: [
    ['bike', 'text', false, true],
    ['wheels', 'number', false, false],
    ['address', 'text', true, true],
  ],
  negotiation: 'lowest-total',
  evaluation: 'vote',
  compensation: 'rate-times-volume',
});

const request = (job: RequestBody['job'], volume: bigint) => ({ job, volume }) as RequestBody;

describe('service definitions', () => {
  it('normalises form input: trims, parses numbers, separates sensitive fields, requires fields', () => {
    expect(normaliseFields(repair, { bike: ' red ', wheels: '2', address: 'Main St 1' })).toEqual({
      public: { bike: 'red', wheels: 2 },
      sensitive: { address: 'Main St 1' },
    });
    expect(normaliseFields(repair, { bike: 'red', wheels: 'two', address: 'x' })).toEqual({
      error: '"wheels" must be a whole number',
    });
    expect(normaliseFields(repair, { bike: 'red' })).toEqual({ error: '"address" is required' });
    expect(normaliseFields(repair, { colour: 'red' })).toEqual({
      error: 'Bike repair has no field "colour"',
    });
    expect(normaliseFields(task, { title: 'Fix it', description: '  ' })).toEqual({
      public: { title: 'Fix it' },
      sensitive: {},
    });
  });

  it('checks each form of job against its volume', () => {
    expect(jobProblem(pow, request({ data: new Uint8Array(1), difficulty: 4 }, 16n))).toBeNull();
    expect(jobProblem(pow, request({ data: new Uint8Array(1), difficulty: 4 }, 17n))).toMatch(
      /volume 16/,
    );
    expect(jobProblem(pow, request({ fields: { title: 'x' } }, 1n))).toMatch(/difficulty/);
    expect(jobProblem(compute, request({ fields: { title: 'x' } }, 1n))).toMatch(/fn, input/);
    expect(jobProblem(compute, request({ fn: 'nope', input: new Uint8Array(0) }, 1n))).toMatch(
      /no built-in/,
    );
    expect(
      jobProblem(
        compute,
        request({ fn: 'count-primes', input: new Uint8Array([0, 0, 0, 64]) }, 5n),
      ),
    ).toMatch(/volume 1/);
    expect(jobProblem(task, request({ data: new Uint8Array(1), difficulty: 4 }, 1n))).toMatch(
      /fields/,
    );
    expect(jobProblem(repair, request({ fields: { bike: 'red', wheels: 'two' } }, 1n))).toMatch(
      /number/,
    );
  });

  it('sizes committees: k is a majority of m, and the pool must be big enough', () => {
    expect(committeeProblem(pow, 0, 0, 0)).toBeNull();
    expect(committeeProblem(pow, 0, 1, 0)).toMatch(/k must be 0/);
    expect(committeeProblem(task, 0, 0, 5)).toMatch(/at least one validator/);
    expect(committeeProblem(task, 3, 1, 5)).toMatch(/majority/);
    expect(committeeProblem(task, 3, 2, 2)).toMatch(/pool has 2/);
    expect(committeeProblem(repair, 3, 2, 3)).toBeNull();
  });
});
