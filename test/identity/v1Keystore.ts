// A version 1 keystore exactly as the release before the integrity hash wrote it: the all-zero
// 24-word phrase ("abandon" x23, "art") under V1_PASSPHRASE, with scrypt N = 2^10. Tests use it
// to prove that older files still open, and are upgraded where the caller asks.
export const V1_PASSPHRASE = 'correct horse battery staple';
export const V1_MNEMONIC = `${'abandon '.repeat(23)}art`;

export const V1_KEYSTORE = {
  format: 'gpow-keystore',
  version: 1,
  address: 'gpow17y7rhqlr65dcem6uevvv2qkgjp8e96n3dnemm6u3y5pnvfhjlxus4hjm0t',
  kdf: {
    name: 'scrypt',
    N: 1024,
    r: 8,
    p: 1,
    salt: '78077cbd26f22bd12b3d0c8a79bfad34f8e6a7b886fc1dcccd2ca47c59c8347f',
  },
  cipher: { name: 'xchacha20-poly1305', nonce: '782c0ce35a3bcf12dd32e748aa9f4723cdb56da1375ad62e' },
  check: '54e869a9d52746d19490da88f655ccf2',
  ciphertext:
    '3a06b3d5faa02912770566e598fb7b304a3264c0fc30adddb06c6a2747a2b7e2c1196ae05384d8fc90416b73c9f52f2470',
} as const;
