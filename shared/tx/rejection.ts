// Every reason a transaction can be refused. Each is a stable code that peers, the CLI and the
// UI can show, plus a sentence with the particulars.

export type RejectionCode =
  // decoding
  | 'oversized'
  | 'malformed'
  | 'non-canonical'
  | 'unknown-type'
  // authenticity
  | 'bad-signature'
  | 'wrong-network'
  // chain and dependencies
  | 'bad-sequence'
  | 'invalid-predecessor'
  | 'invalid-dependency'
  | 'unexpected-genesis'
  // rules
  | 'insufficient-funds'
  | 'not-witness'
  | 'conflicting-vote'
  | 'invalid-body'
  // state (a valid transaction that does not count)
  | 'frozen-author'
  | 'revoked-device'
  // membership (§13.7)
  | 'not-member'
  // writing budgets (§15)
  | 'over-budget';

export interface Rejection {
  readonly code: RejectionCode;
  readonly message: string;
}

export const reject = (code: RejectionCode, message: string): Rejection => ({ code, message });
