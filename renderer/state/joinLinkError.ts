// A refused invitation link, said the way a person can act on it. The parser's sentences name
// the part that is wrong ("the join secret must be 32 bytes in base64url"), which helps a
// developer; a person holding a link cut short needs to hear that it is incomplete and that a
// new one will do. Only a link that is no invitation at all, or one from a newer app, is said
// otherwise.
import { WRONG_SCHEME } from '../../shared/net/invitation.ts';
import { UserError } from './errors.ts';

/** shared/net/invitation.ts's sentence for a version this app does not read begins so. */
const NEWER_VERSION = 'unsupported invitation version';

export function joinLinkError(detail: string): UserError {
  if (detail === WRONG_SCHEME || detail.startsWith(NEWER_VERSION))
    return new UserError('join.invalid', { detail });
  return new UserError('join.incomplete');
}
