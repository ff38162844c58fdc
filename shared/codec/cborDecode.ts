// The strict decoder of GPoW's canonical CBOR subset (see cbor.ts). It reads the bytes once and
// refuses, at the byte where it happens, anything that is not the one canonical encoding of a
// value in the subset:
// - integers and lengths not in their shortest form (RFC 8949 §4.2.1);
// - indefinite lengths, tags, floats, undefined and every simple value but false, true, null;
// - map keys that are not text, or not in strictly increasing bytewise order of their
//   encodings (which also rules out duplicates);
// - text that is not valid UTF-8; nesting deeper than MAX_DEPTH; bytes after the value.
//
// Why not a general decoder and a re-encoding check (what this replaced): the re-encoding cost
// four times the decoding, and every transaction and peer message pays it. The test suite checks
// this decoder against that method on random and mutated inputs (test/codec/cborDecode.test.ts).
//
// Integers come back as numbers when they are safe integers and as bigints otherwise (up to 64
// bits, as the subset allows). Maps become null-prototype objects, so a "__proto__" key is data.
// Byte strings are views into the input: callers that keep them copy the input first.

export const MAX_DEPTH = 16;

/** Why decoding stopped: the structure is wrong, or right but not in canonical form. */
export class CborDecodeError extends Error {
  override name = 'CborDecodeError';
  readonly reason: 'malformed' | 'non-canonical';
  constructor(reason: 'malformed' | 'non-canonical', message: string) {
    super(message);
    this.reason = reason;
  }
}

const malformed = (message: string) => new CborDecodeError('malformed', message);

class Reader {
  pos = 0;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** Reads a head's argument: the additional information, then 0, 1, 2, 4 or 8 more bytes. */
  argument(info: number): number | bigint {
    const { bytes } = this;
    if (info < 24) return info;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (size === 0) {
      throw malformed(info === 31 ? 'indefinite lengths are not allowed' : 'reserved header');
    }
    if (this.pos + size > bytes.length) throw malformed('unexpected end of input');
    const at = this.pos;
    this.pos += size;
    let value: number | bigint;
    if (size === 1) value = bytes[at]!;
    else if (size === 2) value = (bytes[at]! << 8) | bytes[at + 1]!;
    else if (size === 4) {
      value =
        bytes[at]! * 0x1000000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
    } else {
      const high =
        bytes[at]! * 0x1000000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
      const low =
        bytes[at + 4]! * 0x1000000 +
        ((bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!);
      value = high < 0x200000 ? high * 0x100000000 + low : (BigInt(high) << 32n) | BigInt(low);
    }
    // Shortest form: each width is used only for what the next smaller one cannot hold.
    const floor = size === 1 ? 24 : size === 2 ? 0x100 : size === 4 ? 0x10000 : 0x100000000;
    if (value < floor) throw malformed('integer or length not in its shortest form');
    return value;
  }

  /** A length: it must fit in what is left of the input (each item takes at least a byte). */
  length(info: number, what: string): number {
    const value = this.argument(info);
    if (typeof value === 'bigint' || value > this.bytes.length - this.pos) {
      throw malformed(`${what} longer than the input`);
    }
    return value;
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw malformed(`nesting deeper than ${MAX_DEPTH}`);
    const { bytes } = this;
    if (this.pos >= bytes.length) throw malformed('unexpected end of input');
    const head = bytes[this.pos++]!;
    const major = head >> 5;
    const info = head & 0x1f;
    switch (major) {
      case 0:
        return this.argument(info);
      case 1: {
        const n = this.argument(info);
        // -1 - n: a bigint once the result leaves the safe range.
        return typeof n === 'number' && n < Number.MAX_SAFE_INTEGER ? -1 - n : -1n - BigInt(n);
      }
      case 2: {
        const length = this.length(info, 'byte string');
        const start = this.pos;
        this.pos += length;
        return bytes.subarray(start, this.pos);
      }
      case 3:
        return this.text(info);
      case 4: {
        const count = this.length(info, 'array');
        const items: unknown[] = new Array<unknown>(count);
        for (let i = 0; i < count; i++) items[i] = this.value(depth + 1);
        return items;
      }
      case 5:
        return this.map(info, depth);
      case 6:
        throw malformed('tags are not allowed');
      default:
        return this.simple(info);
    }
  }

  text(info: number): string {
    const length = this.length(info, 'text string');
    const start = this.pos;
    this.pos += length;
    return utf8Strict(this.bytes, start, this.pos);
  }

  map(info: number, depth: number): Record<string, unknown> {
    const count = this.length(info, 'map');
    const out = Object.create(null) as Record<string, unknown>;
    const { bytes } = this;
    let previousStart = -1;
    let previousEnd = -1;
    for (let i = 0; i < count; i++) {
      if (this.pos >= bytes.length) throw malformed('unexpected end of input');
      const keyStart = this.pos;
      const keyHead = bytes[this.pos++]!;
      if (keyHead >> 5 !== 3) throw malformed('map keys must be text strings');
      const key = this.text(keyHead & 0x1f);
      const keyEnd = this.pos;
      if (previousStart >= 0) {
        const order = compareBytes(bytes, previousStart, previousEnd, keyStart, keyEnd);
        if (order === 0) throw malformed(`duplicate map key "${key}"`);
        if (order > 0) throw new CborDecodeError('non-canonical', 'map keys are not sorted');
      }
      previousStart = keyStart;
      previousEnd = keyEnd;
      out[key] = this.value(depth + 1);
    }
    return out;
  }

  simple(info: number): boolean | null {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info === 23) throw malformed('undefined is not allowed');
    if (info >= 25 && info <= 27) throw malformed('floating-point numbers are not allowed');
    throw malformed('simple values other than false, true and null are not allowed');
  }
}

/**
 * Decodes bytes[start, end) as UTF-8 (RFC 3629), refusing overlong forms, surrogates, code
 * points above U+10FFFF and truncated sequences. (shared/ has no TextDecoder; a byte-order mark
 * is kept as text, as it was written.)
 */
function utf8Strict(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  let i = start;
  while (i < end) {
    const b0 = bytes[i]!;
    let cp: number;
    let size: number;
    let min: number;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      cp = b0 & 0x1f;
      size = 2;
      min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      cp = b0 & 0x0f;
      size = 3;
      min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      cp = b0 & 0x07;
      size = 4;
      min = 0x10000;
    } else {
      throw malformed('text is not valid UTF-8');
    }
    if (i + size > end) throw malformed('text is not valid UTF-8');
    for (let k = 1; k < size; k++) {
      const b = bytes[i + k]!;
      if ((b & 0xc0) !== 0x80) throw malformed('text is not valid UTF-8');
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw malformed('text is not valid UTF-8');
    }
    out += String.fromCodePoint(cp);
    i += size;
  }
  return out;
}

/** Bytewise order of bytes[a0, a1) and bytes[b0, b1), shorter first on a common prefix. */
function compareBytes(bytes: Uint8Array, a0: number, a1: number, b0: number, b1: number): number {
  const la = a1 - a0;
  const lb = b1 - b0;
  const n = la < lb ? la : lb;
  for (let i = 0; i < n; i++) {
    const d = bytes[a0 + i]! - bytes[b0 + i]!;
    if (d !== 0) return d;
  }
  return la - lb;
}

/** Decodes exactly one canonical value filling `bytes`; throws CborDecodeError otherwise. */
export function decodeStrict(bytes: Uint8Array): unknown {
  // Views of a Node Buffer would be Buffers; code downstream (Yjs among it) wants Uint8Arrays.
  const plain =
    bytes.constructor === Uint8Array
      ? bytes
      : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = new Reader(plain);
  const value = reader.value(0);
  if (reader.pos !== bytes.length) throw malformed('bytes after the value');
  return value;
}
