// "Is this URL ours?" and "may this URL leave the app?" — decided by parsing, never by substring
// (Actual Budget's history: `url.startsWith(origin)` let `http://localhost:3001.evil.com` through).
// Pure: no Electron, so the decisions are unit-tested in Node.

/** The longest URL handed to the OS; anything longer is more likely an attack than a link. */
const MAX_EXTERNAL_URL = 4096;

function parse(url: string): URL | null {
  if (typeof url !== 'string' || url.length === 0 || url.includes('\0')) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Compares scheme, host and port. `URL.origin` is not used because Node reports "null" for custom schemes
 * (`studio-app://app`), which would make every custom-scheme URL equal to every other.
 */
export function isAppUrl(url: string, appOrigin: string): boolean {
  const u = parse(url);
  const app = parse(appOrigin);
  if (!u || !app) return false;
  if (u.username || u.password) return false;
  if (!app.host) return false;
  return (
    u.protocol.toLowerCase() === app.protocol.toLowerCase() && u.host.toLowerCase() === app.host.toLowerCase()
  );
}

/**
 * The normalized URL when it is safe to give to the OS's browser, else null: `https:` only, a real host,
 * no user name or password (they hide the real destination: `https://skills.video@evil.example`).
 */
export function safeExternalUrl(url: string): string | null {
  if (typeof url !== 'string' || url.length > MAX_EXTERNAL_URL) return null;
  const u = parse(url.trim());
  if (!u) return null;
  if (u.protocol !== 'https:') return null;
  if (u.username || u.password) return null;
  if (!u.hostname) return null;
  return u.href;
}
