// A member's avatar (docs/profiles.md §1): bytes someone else signed, so untrusted. They are shown
// only as a data: URL of the image type their magic number says (PNG, JPEG or WebP: the types a
// profile may hold), at a fixed size, with the member's name as its text; bytes of any other
// kind, or too many, show nothing, and so does an image the browser cannot decode. A data: URL
// rather than a blob: one: the desktop app's Content-Security-Policy allows data: images only,
// and nothing needs revoking.
import { useMemo, useState } from 'react';
import { avatarTypeOf, MAX_AVATAR_BYTES } from '../../../shared/identity/profile.ts';

export const AVATAR_PX = 32;

/** Characters per String.fromCharCode call: well under any engine's argument limit. */
const CHUNK = 4096;

/** The data: URL for avatar bytes, or null when they are not an avatar a profile may hold. */
export function avatarUrl(bytes: unknown): string | null {
  if (!(bytes instanceof Uint8Array)) return null;
  if (bytes.length === 0 || bytes.length > MAX_AVATAR_BYTES) return null;
  const type = avatarTypeOf(bytes);
  if (type === null) return null;
  let binary = '';
  for (let at = 0; at < bytes.length; at += CHUNK)
    binary += String.fromCharCode(...bytes.subarray(at, at + CHUNK));
  return `data:${type};base64,${btoa(binary)}`;
}

/** The avatar in a profile body read from the ledger (untrusted), or undefined. */
export function avatarOfBody(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !('avatar' in body)) return undefined;
  return body.avatar;
}

/** The image, small and round; nothing when absent, not an allowed image, or undecodable. */
export function Avatar({ bytes, name }: { bytes: unknown; name: string }) {
  const url = useMemo(() => avatarUrl(bytes), [bytes]);
  const [failed, setFailed] = useState<string | null>(null);
  if (url === null || failed === url) return null;
  return (
    <img
      className="avatar"
      src={url}
      alt={name}
      width={AVATAR_PX}
      height={AVATAR_PX}
      decoding="async"
      draggable={false}
      referrerPolicy="no-referrer"
      data-testid="avatar"
      onError={() => setFailed(url)}
    />
  );
}
