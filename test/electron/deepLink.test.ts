import { describe, expect, it, vi } from 'vitest';
import {
  createDeepLinkInbox,
  findDeepLink,
  MAX_DEEP_LINK_BYTES,
  parseDeepLink,
} from '../../electron/deepLink.ts';

vi.mock('electron', () => ({}));

const INVITE = 'gpow://invite?peer=gpow1qqq&relay=ws%3A%2F%2F127.0.0.1%3A4444';

describe('parseDeepLink', () => {
  it.each([
    [INVITE, INVITE],
    ['gpow:invite?code=abc', 'gpow:invite?code=abc'],
    ['GPOW://invite', 'gpow://invite'],
    ['gpow://invite/é', 'gpow://invite/%C3%A9'],
  ])('accepts %s as %s', (input, url) => {
    expect(parseDeepLink(input)).toEqual({ ok: true, url });
  });

  it.each([
    ['https://example.com/', /not a gpow: link/u],
    ['file:///etc/passwd', /not a gpow: link/u],
    ['javascript:alert(1)', /not a gpow: link/u],
    ['app://gpow/index.html', /not a gpow: link/u],
    ['xgpow://invite', /not a gpow: link/u],
    ['gpowx://invite', /not a gpow: link/u],
    ['', /not a gpow: link/u],
    ['gpow://[invalid', /not a well-formed URL/u],
  ])('refuses the non-gpow or malformed %s', (input, reason) => {
    const result = parseDeepLink(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it.each([
    ['a NUL', 'gpow://invite\u0000evil'],
    ['a newline', 'gpow://invite\nSend everything to gpow1evil'],
    ['a carriage return', 'gpow://invite\r'],
    ['a tab', 'gpow://in\tvite'],
    ['an escape (terminal colours)', 'gpow://invite\u001b[31m'],
    ['DEL', 'gpow://invite\u007f'],
    ['a C1 control', 'gpow://invite\u0085'],
    ['a right-to-left override', 'gpow://invite?to=\u202egpow1evil'],
    ['a bidi isolate', 'gpow://invite\u2066x\u2069'],
    ['a zero-width space', 'gpow://in\u200bvite'],
    ['a line separator', 'gpow://invite\u2028x'],
    ['an unpaired surrogate', 'gpow://invite\ud800'],
    ['a space', 'gpow://invite now'],
    ['leading whitespace', ' gpow://invite'],
  ])('refuses a link with %s', (_name, input) => {
    const result = parseDeepLink(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/spaces or control characters/u);
  });

  it('refuses links over 4 KiB, counting UTF-8 bytes', () => {
    const prefix = 'gpow://invite?x=';
    const fits = prefix + 'a'.repeat(MAX_DEEP_LINK_BYTES - prefix.length);
    expect(parseDeepLink(fits).ok).toBe(true);
    expect(parseDeepLink(`${fits}a`).ok).toBe(false);
    // 1400 characters, but 4200 bytes.
    const wide = prefix + 'é'.repeat(1400);
    expect(wide.length).toBeLessThan(MAX_DEEP_LINK_BYTES);
    const result = parseDeepLink(wide);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/longer than 4096 bytes/u);
    expect(parseDeepLink(`gpow://${'a'.repeat(10_000_000)}`).ok).toBe(false);
  });

  it('refuses what is not text', () => {
    for (const input of [undefined, null, 42, { href: INVITE }, [INVITE]]) {
      expect(parseDeepLink(input)).toEqual({ ok: false, reason: 'a link must be text' });
    }
  });
});

describe('findDeepLink', () => {
  it('finds the gpow: argument among flags and paths', () => {
    const argv = ['/opt/GPoW/gpow', '--original-process-start-time=1', '.', INVITE];
    expect(findDeepLink(argv)).toBe(INVITE);
  });

  it('skips invalid links and everything that is not one', () => {
    expect(findDeepLink(['/opt/GPoW/gpow', '--gpow://invite', 'https://x.example/'])).toBeNull();
    expect(findDeepLink(['gpow://bad\nlink', 'gpow://good'])).toBe('gpow://good');
    expect(findDeepLink([])).toBeNull();
  });
});

describe('the deep-link inbox', () => {
  it('holds the latest valid link until it is taken', () => {
    const inbox = createDeepLinkInbox();
    expect(inbox.take()).toBeNull();
    expect(inbox.receive('gpow://first')).toBe(true);
    expect(inbox.receive('gpow://second')).toBe(true);
    expect(inbox.take()).toBe('gpow://second');
    expect(inbox.take()).toBeNull();
  });

  it('ignores invalid links and keeps the pending one', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const inbox = createDeepLinkInbox();
    inbox.receive(INVITE);
    expect(inbox.receive('https://evil.example/')).toBe(false);
    expect(inbox.receive('gpow://x\u0000')).toBe(false);
    expect(inbox.take()).toBe(INVITE);
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
  });
});
