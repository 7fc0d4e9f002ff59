// Who may talk to the bridge: only a page that was handed this run's random token, reached through a
// loopback host name (a foreign page cannot read the token, and a rebound DNS name fails the Host check).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

/** Host names the bridge answers to; anything else is a DNS-rebinding attempt or a misconfigured proxy. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && allowedHosts(port).has(host);
}

/** Browsers send Origin on WebSocket upgrades and cross-site requests: when present it must be ours. */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && allowedHosts(port).has(url.host.toLowerCase());
}

/** Constant-time comparison, so the token cannot be guessed a character at a time. */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** 401 when no token was sent, 403 when a wrong one was; null when the request may proceed. */
export function tokenStatus(given: string | null | undefined, token: string): 401 | 403 | null {
  if (!given) return 401;
  return tokenMatches(given, token) ? null : 403;
}
