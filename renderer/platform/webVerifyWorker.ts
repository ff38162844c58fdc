// One signature-checking Web Worker of the engine's verify pool (engine/verifyPool.ts) in the
// browser: the app's one strict rule set over WebCrypto's Ed25519, one byte per signature back.
import { createVerifier } from '../../shared/crypto/ed25519.ts';
import { checkPacked, type PackedSignatures } from '../../engine/verifyPool.ts';
import { webCryptoBackend } from './webCryptoEd25519.ts';

const verifier = createVerifier(webCryptoBackend);

self.onmessage = (event: MessageEvent<{ id: number; batch: PackedSignatures }>) => {
  const { id, batch } = event.data;
  void checkPacked(verifier, batch).then((valid) =>
    self.postMessage({ id, valid }, { transfer: [valid.buffer as ArrayBuffer] }),
  );
};
