// The one redaction rule for everything that leaves the process or is stored: the log file, the API
// client's errors, the answers of contract calls (IPC and the browser bridge) and the CLI's messages.

export const REDACTED = '[redacted]';

/** Shorter strings would blank out ordinary words; every real key is far longer. */
const MIN_SECRET_LENGTH = 6;

const BEARER = /\bBearer\s+(?!\[redacted\])[A-Za-z0-9\-._~+/]+=*/gi;
// `authorization: <value>`, `"authorization":"<value>"` and the same inside an escaped JSON string.
const AUTH_VALUE = /((?:proxy-)?authorization|x-api-key)((?:\\*")?\s*[:=]\s*(?:\\*")?)([^"\\\r\n,;}]+)/gi;

/**
 * `text` with every secret (at least 6 characters) replaced by `[redacted]`, in its raw and its
 * JSON-escaped spelling, plus any `Bearer <token>` and the value of any Authorization header.
 */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  const usable = [...new Set(secrets)].filter(
    (s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH,
  );
  usable.sort((a, b) => b.length - a.length); // a key that contains another key goes first
  for (const secret of usable) {
    out = out.split(secret).join(REDACTED);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join(REDACTED);
  }
  out = out.replace(BEARER, `Bearer ${REDACTED}`);
  out = out.replace(AUTH_VALUE, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
  return out;
}
