// Parsing the three SSK wire formats (box, message, field): canonical CBOR, then the version on
// its own, so that a newer format reads as "unsupported version" rather than "malformed", then
// the format's schema. Never throws.
import * as v from 'valibot';
import { decodeCanonical } from '../codec/cbor.ts';
import { describeIssues } from '../tx/schema.ts';

export function parseVersioned<S extends v.GenericSchema>(
  bytes: unknown,
  options: {
    readonly what: string;
    readonly version: number;
    readonly maxBytes: number;
    readonly schema: S;
  },
): { ok: true; value: v.InferOutput<S> } | { ok: false; error: string } {
  const { what, version, maxBytes, schema } = options;
  const decoded = decodeCanonical(bytes, maxBytes);
  if (!decoded.ok) return { ok: false, error: `malformed ${what}: ${decoded.detail}` };
  const value = decoded.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: `malformed ${what}: expected a map` };
  }
  const found = (value as Record<string, unknown>)['v'];
  if (found !== version) {
    return {
      ok: false,
      error: `unsupported ${what} version ${String(found)} (this peer opens version ${version})`,
    };
  }
  const parsed = v.safeParse(schema, value);
  if (!parsed.success)
    return { ok: false, error: `malformed ${what}: ${describeIssues(parsed.issues)}` };
  return { ok: true, value: parsed.output };
}
