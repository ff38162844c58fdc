// The newcomer's side of a ticket link (engine/knock.ts) where no inviter answers: an expired
// link or one without a relay is refused before any room is joined, a knock nobody answers ends
// with the sentence that says why, and a cancelled knock ends at once. The answered paths run
// between real processes in test/net/tickets.test.ts and test/e2e/tickets.test.ts.
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createVerifier, nobleBackend } from '../../shared/crypto/ed25519.ts';
import type { TicketInvitation } from '../../shared/net/ticket.ts';
import type { WrtcLike } from '../../shared/replication/guardedWrtc.ts';
import { KNOCK_CANCELLED, knockAtDoor, type KnockOptions } from '../../engine/knock.ts';
import { timerPortOf } from '../../engine/ports.ts';

const KEY = 'A'.repeat(42) + 'E'; // 32 bytes in base64url
/** No peer ever connects in these tests, so no peer connection is ever made. */
const noWrtc: WrtcLike = {
  RTCPeerConnection: class {},
  RTCSessionDescription: class {},
  RTCIceCandidate: class {},
};

/** A port on 127.0.0.1 that nothing listens on: the relay is refused at once, and retried. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function options(ticket: Partial<TicketInvitation>, extra: Partial<KnockOptions> = {}) {
  let n = 0;
  return {
    ticket: {
      networkId: 'ab'.repeat(32),
      ticket: KEY,
      door: KEY,
      expires: Date.now() + 3_600_000,
      once: true,
      relays: [],
      ...ticket,
    },
    clock: { now: () => Date.now() },
    timers: timerPortOf(globalThis),
    random: { bytes: (length: number) => Uint8Array.from({ length }, () => ++n % 256) },
    wrtc: noWrtc,
    verifier: createVerifier(nobleBackend),
    ...extra,
  } satisfies KnockOptions;
}

describe('knockAtDoor with nobody answering', () => {
  it('refuses an expired link before joining anything', async () => {
    const result = await knockAtDoor(options({ expires: 1_700_000_000_000 }));
    expect(result).toEqual({
      ok: false,
      error: 'this invitation expired on 2023-11-14 22:13 UTC: ask for a new one',
    });
  });

  it('refuses a link that names no relay', async () => {
    const result = await knockAtDoor(options({ relays: [] }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain('names no relay');
  });

  it('says nobody answered when the wait runs out', async () => {
    const relay = `ws://127.0.0.1:${await closedPort()}`;
    const result = await knockAtDoor(options({ relays: [relay] }, { timeoutMs: 1_000 }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(
      new RegExp(`^nobody answered at the invitation's door within 1 s: .* through ${relay}`),
    );
  });

  it('ends at once when cancelled', async () => {
    const relay = `ws://127.0.0.1:${await closedPort()}`;
    let cancel = (): void => undefined;
    const cancelled = new Promise<void>((resolve) => (cancel = resolve));
    const started = Date.now();
    const knock = knockAtDoor(options({ relays: [relay] }, { cancelled, timeoutMs: 30_000 }));
    setTimeout(cancel, 100);
    expect(await knock).toEqual({ ok: false, error: KNOCK_CANCELLED });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
