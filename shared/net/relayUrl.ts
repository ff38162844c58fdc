// Signaling relay addresses as invitations carry them: ws:// or wss://, a host, an explicit port,
// an optional path, and nothing that could make one address read as another. Split from
// invitation.ts; every kind of link checks its relays with relayUrlError.
/** The longest signaling relay address a link may carry. */
export const MAX_RELAY_URL_LENGTH = 200;

const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`);
const IPV6_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const PORT = /^[1-9]\d{0,4}$/;
/** Path segments of unreserved characters, sub-delimiters, ':' and '@', or %XX escapes. */
const PATH = /^(?:\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*)*$/;

export const isIpv4 = (text: string): boolean => IPV4.test(text);

/** An IPv6 address without a zone id (a zone only means something on the machine that wrote it). */
export function isIpv6(text: string): boolean {
  let body = text;
  const lastColon = body.lastIndexOf(':');
  if (lastColon === -1) return false;
  // A trailing dotted IPv4 address (::ffff:192.0.2.1) stands for the last two groups.
  const tail = body.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!IPV4.test(tail)) return false;
    body = `${body.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split('::');
  const groupsOf = (part: string): string[] => (part === '' ? [] : part.split(':'));
  if (halves.length === 1) {
    const groups = groupsOf(body);
    return groups.length === 8 && groups.every((g) => IPV6_GROUP.test(g));
  }
  if (halves.length !== 2) return false;
  const groups = [...groupsOf(halves[0] ?? ''), ...groupsOf(halves[1] ?? '')];
  return groups.length <= 7 && groups.every((g) => IPV6_GROUP.test(g));
}

function isHostName(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  const labels = host.split('.');
  if (!labels.every((label) => DNS_LABEL.test(label))) return false;
  // URL parsers read a name ending in a numeric label as an IPv4 address: 1.2.3.999 is no name.
  return !/^\d+$/.test(labels[labels.length - 1] ?? '') || IPV4.test(host);
}

/**
 * Why a signaling relay URL is unacceptable, as the end of a sentence, or null if it is fine:
 * ws:// or wss://, a host name, IPv4 address or bracketed IPv6 address, an explicit port, an
 * optional path, and nothing else (no user info, query or fragment).
 */
export function relayUrlError(url: string): string | null {
  if (url.length > MAX_RELAY_URL_LENGTH) {
    return `is longer than ${MAX_RELAY_URL_LENGTH} characters`;
  }
  const scheme = /^wss?:\/\//.exec(url);
  if (scheme === null) return 'must start with ws:// or wss://';
  const rest = url.slice(scheme[0].length);
  if (/[?#]/.test(rest)) return 'must not have a query (?) or fragment (#)';
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash);
  if (authority.includes('@')) return 'must not contain a user name or password (@)';

  let portText: string;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close === -1) return 'has an IPv6 address without its closing ]';
    if (!isIpv6(authority.slice(1, close))) return 'has an invalid IPv6 address';
    const after = authority.slice(close + 1);
    if (!after.startsWith(':')) return 'needs an explicit port (such as :4444)';
    portText = after.slice(1);
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon === -1) return 'needs an explicit port (such as :4444)';
    const host = authority.slice(0, colon);
    if (!isHostName(host)) {
      return 'has an invalid host (a name or IPv4 address; IPv6 addresses go in brackets)';
    }
    portText = authority.slice(colon + 1);
  }
  if (!PORT.test(portText) || Number(portText) > 65535) {
    return 'has an invalid port (it must be a number from 1 to 65535)';
  }
  if (!PATH.test(path)) return 'has an invalid path';
  return null;
}
