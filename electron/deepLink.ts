// gpow: deep links (invitations). They come from outside the app, from any web page or program
// that can open a URL, so they are untrusted text: checked for shape here, held as a pending
// invitation, and acted on only after the user has seen it and confirmed it in the UI.

export const DEEP_LINK_SCHEME = 'gpow';
/** Far more than an invitation needs; a bound on what a stranger can make us hold and show. */
export const MAX_DEEP_LINK_BYTES = 4096;

export type DeepLinkCheck = { ok: true; url: string } | { ok: false; reason: string };

/**
 * Control characters (Cc: C0, DEL, C1), format characters (Cf: bidirectional controls that can
 * make text display in a different order than it reads, zero-width characters), unpaired
 * surrogates (Cs) and whitespace. None belongs in a URL, and each could make a link look like
 * something else when it is shown to the user.
 */
const FORBIDDEN_CHARACTERS = /[\p{Cc}\p{Cf}\p{Cs}\s]/u;

/** Checks untrusted input and returns the normalised gpow: URL. Never throws. */
export function parseDeepLink(input: unknown): DeepLinkCheck {
  if (typeof input !== 'string') return { ok: false, reason: 'a link must be text' };
  // Cheap length test first (UTF-16 units never exceed UTF-8 bytes), then the exact one.
  if (input.length > MAX_DEEP_LINK_BYTES || Buffer.byteLength(input) > MAX_DEEP_LINK_BYTES) {
    return { ok: false, reason: `the link is longer than ${MAX_DEEP_LINK_BYTES} bytes` };
  }
  if (FORBIDDEN_CHARACTERS.test(input)) {
    return { ok: false, reason: 'the link contains spaces or control characters' };
  }
  if (!input.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)) {
    return { ok: false, reason: `not a ${DEEP_LINK_SCHEME}: link` };
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'the link is not a well-formed URL' };
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:`) {
    return { ok: false, reason: `not a ${DEEP_LINK_SCHEME}: link` };
  }
  // Normalisation could only percent-encode, but keep the promise of the bound regardless.
  if (Buffer.byteLength(url.href) > MAX_DEEP_LINK_BYTES) {
    return { ok: false, reason: `the link is longer than ${MAX_DEEP_LINK_BYTES} bytes` };
  }
  return { ok: true, url: url.href };
}

/**
 * The deep link in a command line (Windows and Linux pass it as an argument, on first launch
 * and to the 'second-instance' event), or null. Only arguments that are themselves a gpow:
 * URL count; flags and everything else are ignored, never interpreted.
 */
export function findDeepLink(argv: readonly string[]): string | null {
  for (const arg of argv) {
    if (!arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)) continue;
    const checked = parseDeepLink(arg);
    if (checked.ok) return checked.url;
  }
  return null;
}

export interface DeepLinkInbox {
  /** Keeps a valid link as the pending one (replacing an older one); false if it was refused. */
  receive(input: unknown): boolean;
  /** The pending link, which is then forgotten; null if there is none. */
  take(): string | null;
}

export function createDeepLinkInbox(): DeepLinkInbox {
  let pending: string | null = null;
  return {
    receive(input) {
      const checked = parseDeepLink(input);
      if (!checked.ok) {
        console.warn(`Ignored a deep link: ${checked.reason}`);
        return false;
      }
      pending = checked.url;
      return true;
    },
    take() {
      const link = pending;
      pending = null;
      return link;
    },
  };
}
