// The verify port in a browser: WebCrypto's Ed25519 (crypto.subtle, under the shared strict
// rule set), which runs off the page's main thread already. A batch goes out a slice at a time,
// so a sync of 10⁵ signatures does not queue 10⁵ promises at once.
// Not yet spread over Web Workers (decoding and hashing stay on this thread): see issue 14.
import { createVerifier } from '../../shared/crypto/ed25519.ts';
import { signatureOf, signedMessageOf } from '../../shared/tx/envelope.ts';
import type { VerifyPort } from '../../engine/ports.ts';
import { createIntake } from '../../engine/intake.ts';
import { webCryptoBackend } from './webCryptoEd25519.ts';

const SLICE = 256;

export const webVerifier = createVerifier(webCryptoBackend);

export function webVerify(): VerifyPort {
  return {
    verifier: webVerifier,
    async verifyTransactions(txs) {
      const verdicts: boolean[] = [];
      for (let start = 0; start < txs.length; start += SLICE) {
        const slice = txs.slice(start, start + SLICE);
        verdicts.push(
          ...(await Promise.all(
            slice.map((tx) =>
              webVerifier.verify(signatureOf(tx), signedMessageOf(tx), tx.authorKey),
            ),
          )),
        );
      }
      return verdicts;
    },
    close: () => Promise.resolve(),
  };
}

/** The full intake check of one transaction (engine/intake.ts), for the app's own checks. */
export const webAdmit = createIntake(webVerify()).admit;
