// CSV for exports that people open in spreadsheets (RFC 4180, CRLF line ends). Cell text can
// come from other people (memos, labels), so it is defused against formula injection: a cell
// that starts with = + - @, a tab or a carriage return would be read as a formula (or, after
// an import trims it, become one), so it gets a leading single quote, as OWASP recommends.
// Then any cell with a quote, comma or line break is quoted, with its quotes doubled.

/** Characters that make a spreadsheet treat a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string): string {
  const defused = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(defused) ? `"${defused.replaceAll('"', '""')}"` : defused;
}

/** A whole table: a header row, then one row per record, each line ending in CRLF. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [header, ...rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}
