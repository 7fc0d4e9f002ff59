// Nothing the service sends may carry the API key into the database, the logs, an image's metadata or the
// screen: every string of every answer (messages, actual prompts, codes, URLs, even property names) goes
// through the one redaction function before the client hands the answer on.
import { redact } from '../redact.ts';

/** `value` (parsed JSON) with every string, and every property name, redacted of `secrets`. */
export function scrubStrings<T>(value: T, secrets: readonly string[]): T {
  const list = [...secrets];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v, list);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[redact(k, list)] = walk(inner);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
