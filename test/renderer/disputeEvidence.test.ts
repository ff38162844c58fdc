// What a drawn validator's screens show of a disputed delivery (renderer/ui/screens/services/
// DisputeEvidence.tsx): the copy sealed for it, opened with real SSK field sealing, with whether
// it matches the provider's hash and the private details; or, for each reason it cannot be
// read, exactly one sentence; and nothing when there is no dispute.
import { sha256 } from '@noble/hashes/sha2.js';
import { createElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { utf8 } from '../../shared/bytes.ts';
import {
  encodeEvidence,
  readEvidence,
  SEALED_EVIDENCE,
  type EvidenceGap,
} from '../../shared/dnec/evidence.ts';
import { openField, sealField } from '../../shared/ssk/field.ts';
import { en } from '../../renderer/i18n/en.ts';
import type { AppState } from '../../renderer/state/appStore.ts';
import { AppProvider } from '../../renderer/ui/context.tsx';
import {
  DisputeEvidence,
  EvidenceBody,
  type DisputeReading,
} from '../../renderer/ui/screens/services/DisputeEvidence.tsx';
import { escaped } from './render.ts';

// The evidence components read only the language from the store.
const store = createStore<AppState>()(() => ({ settings: { language: 'en' } }) as AppState);
const html = (node: ReactNode): string =>
  renderToStaticMarkup(createElement(AppProvider, { store, children: node }));

const RESULT = utf8('The letter, proofread: two commas added.');
const ctx = {
  network: new Uint8Array(32).fill(9),
  sender: new Uint8Array(32).fill(1),
  recipient: new Uint8Array(32).fill(2),
  epoch: 1,
  label: SEALED_EVIDENCE,
};
const key = new Uint8Array(32).fill(3);
const random = { bytes: (n: number) => new Uint8Array(n).fill(4) };
const open = (copy: Uint8Array) => {
  const opened = openField(key, ctx, copy);
  return opened.ok ? opened.plaintext : null;
};
const sealed = (result: Uint8Array) =>
  sealField(
    key,
    ctx,
    encodeEvidence({ result, details: utf8(JSON.stringify({ details: 'to my landlord' })) }),
    random,
  );

describe('the dispute evidence a validator sees', () => {
  it('shows the copy, says it matches the provider’s hash, and lists the private details', () => {
    const markup = html(
      createElement(DisputeEvidence, {
        reading: readEvidence(sealed(RESULT), sha256(RESULT), open),
      }),
    );
    expect(markup).toContain(en['instance.evidence']);
    expect(markup).toContain('The letter, proofread: two commas added.');
    expect(markup).toContain(escaped(en['instance.evidenceMatches']));
    expect(markup).not.toContain(escaped(en['instance.evidenceMismatch']));
    expect(markup).toContain('to my landlord');
  });

  it('says so when the consumer’s copy is not what the provider delivered', () => {
    const altered = readEvidence(sealed(utf8('something else')), sha256(RESULT), open);
    const markup = html(createElement(EvidenceBody, { reading: altered }));
    expect(markup).toContain(escaped(en['instance.evidenceMismatch']));
  });

  it('tells a validator who cannot read it why, in one sentence', () => {
    const gaps: EvidenceGap[] = ['not-sealed-for-you', 'no-keys', 'cannot-open', 'malformed'];
    for (const gap of gaps) {
      const markup = html(createElement(EvidenceBody, { reading: { ok: false, gap } }));
      const sentence = en[`instance.gap.${gap}` as keyof typeof en];
      expect(markup).toBe(`<p class="muted" data-testid="evidence-gap">${escaped(sentence)}</p>`);
      expect(sentence.match(/[.!?](\s|$)/g)).toHaveLength(1);
    }
  });

  it('shows nothing when there is no dispute', () => {
    const none: DisputeReading = { ok: false, gap: 'no-dispute' };
    expect(html(createElement(DisputeEvidence, { reading: none }))).toBe('');
    expect(html(createElement(DisputeEvidence, { reading: undefined }))).toBe('');
  });
});
