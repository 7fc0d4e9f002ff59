// Qwen Studio's own maxima for what a person (or a page, or a file) hands the engine, checked before any
// work so no input can hold the engine for more than a moment. The service's limits (prompt length,
// references, seeds) are in api.ts; the README's security section lists both.
export const INPUT_LIMITS = {
  /** A prompt template before expansion, `{a|b}` groups included (an expanded prompt is at most 5,000). */
  templateChars: 20_000,
  /** How deep `{…}` groups may nest inside each other. */
  templateDepth: 20,
  /** Prompts in one batch, and rows in one prompt file. */
  batchEntries: 100_000,
  /** One prompt file (.txt, .csv, .jsonl), on disk or dropped on the page. */
  promptFileBytes: 64 * 1024 * 1024,
  /** One line of a .txt or .jsonl prompt file, or one record of a .csv. */
  promptFileLineChars: 65_536,
  /** One wildcard file (`<data-dir>/wildcards/…`), saved from the app or the CLI or copied in by hand. */
  wildcardFileBytes: 4 * 1024 * 1024,
  /** Search text (the search box, the CLI, a saved search). */
  queryChars: 1000,
  /** One request body over the browser bridge: a 64 MB prompt file as JSON, with room to spare. */
  bridgeBodyBytes: 72 * 1024 * 1024,
} as const;

/** 20000 → "20,000": how every limit is written in a message. */
export function formatLimit(n: number): string {
  return n.toLocaleString('en-US');
}

// C0 controls except tab, line feed and carriage return; DEL; C1 controls (U+009B is CSI to some terminals).
const CONTROL_RANGE = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f';

/** Text with no control character other than tab, line feed and carriage return. */
export const CONTROL_FREE = new RegExp(`^[^${CONTROL_RANGE}]*$`);

/** The text with every control character (tab, line feed and carriage return kept) replaced. */
export function replaceControlChars(text: string, replacement = ''): string {
  return text.replace(new RegExp(`[${CONTROL_RANGE}]`, 'g'), replacement);
}
