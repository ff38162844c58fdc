/**
 * Fails the build on any circular import, and on an import against the layers inside shared/.
 * The boundaries between the top-level folders (engine/, node/, renderer/, electron/) are ESLint
 * rules (eslint.config.js).
 *
 * Layers inside shared/, lowest first. A layer may import the ones below it, never one above,
 * so each can be read, tested and reasoned about without anything that builds on it. The order
 * is what the code imports (docs/engine.md, "Layers inside shared/", has the argument):
 *
 *   base      bytes.ts, ids.ts, ports.ts: the vocabulary of every layer; imports no layer
 *   codec     canonical CBOR; knows no transaction
 *   crypto    ed25519, sha256
 *   storage   the durable log's port: records are opaque bytes, so it sits under tx
 *   tx        envelope, schemas, the type registry, the core's types (genesis, vote, transfer)
 *   ledger    the state machine over verified transactions (and the own-head seal it keeps in
 *             the log store)
 *   features  identity, dnec, ssk, replication, net, wallet: each on the core (the five above)
 *             and only the features named in FEATURES below. A feature's transaction types
 *             live in the feature (dnec/rules.ts, ssk/rules.ts), not in tx/.
 *   contracts bridge (main <-> renderer), control (gpow <-> a running peer): typed contracts
 *             over any of the above; no layer of shared/ imports them
 *   protocol.ts  the composition root: the registry of every type (transfer, SSK, DNEC).
 *             Nothing in shared/ imports it; the engine, the signer, tests and bench do.
 */
const BASE = ['bytes', 'ids', 'ports'];
const CORE = ['codec', 'crypto', 'storage', 'tx', 'ledger'];
/** Each feature, with the other features it builds on. */
const FEATURES = {
  identity: [],
  dnec: [],
  ssk: ['identity'],
  replication: [],
  // A ticket link's door seals the join secret with SSK's box and meets in a keyed room (§13.9).
  net: ['ssk'],
  // The wallet is a person's side of the features: composing their transactions, the market,
  // and the workspace backup, which carries the networks' invitations (net).
  wallet: ['dnec', 'ssk', 'identity', 'net'],
};
const CONTRACTS = ['bridge', 'control'];

const base = `^shared/(${BASE.join('|')})\\.ts$`;
const folders = (names) => `^shared/(${names.join('|')})/`;
/** Anything in shared/ other than the base and the named folders. */
const outside = (allowed) => ({
  path: '^shared/',
  pathNot: allowed.length > 0 ? [base, folders(allowed)] : [base],
});

const coreRules = CORE.map((layer, index) => ({
  name: `layer-${layer}`,
  severity: 'error',
  comment: `shared/${layer}/ may import only ${['base', ...CORE.slice(0, index)].join(', ')}: the layers below it.`,
  from: { path: folders([layer]) },
  to: outside(CORE.slice(0, index + 1)),
}));

const featureRules = Object.entries(FEATURES).map(([feature, builtOn]) => ({
  name: `layer-${feature}`,
  severity: 'error',
  comment: `shared/${feature}/ may import only the base, the core${builtOn.length > 0 ? ` and ${builtOn.join(', ')}` : ''}.`,
  from: { path: folders([feature]) },
  to: outside([...CORE, feature, ...builtOn]),
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular imports hide initialisation-order bugs and blur module boundaries.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'layer-base',
      severity: 'error',
      comment: 'bytes.ts, ids.ts and ports.ts are the bottom: they import no folder of shared/.',
      from: { path: base },
      to: outside([]),
    },
    ...coreRules,
    ...featureRules,
    {
      name: 'layer-contracts',
      severity: 'error',
      comment: 'A contract may use every layer but the composition root (shared/protocol.ts).',
      from: { path: folders(CONTRACTS) },
      to: { path: '^shared/protocol\\.ts$' },
    },
    {
      name: 'layer-unplaced',
      severity: 'error',
      comment:
        'Every folder of shared/ has a place in the layers: add a new one to this file (CORE, FEATURES or CONTRACTS) and to docs/engine.md.',
      from: {
        path: '^shared/',
        pathNot: [
          base,
          '^shared/protocol\\.ts$',
          folders([...CORE, ...Object.keys(FEATURES), ...CONTRACTS]),
        ],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
