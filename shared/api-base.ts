// Where the API key may be sent. The key rides in every request's Authorization header, so the service
// address decides who receives it: https anywhere, plain http only on this machine (the simulator), never
// with credentials in the URL. The settings schema, the CLI's --api-base and the engine all use this check.

/** 127.0.0.0/8, ::1 and localhost: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return v4 !== null && Number(v4[1]) === 127 && v4.slice(2).every((n) => Number(n) <= 255);
}

/** What is wrong with a service address as a destination for the key, or null when it is fine. */
export function apiBaseProblem(raw: string, opts: { allowInsecure?: boolean } = {}): string | null {
  const text = raw.trim();
  const url = URL.canParse(text) ? new URL(text) : null;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    return `the service address must be an https:// address such as https://open.skills.video/api; got "${raw}"`;
  }
  if (url.username || url.password) {
    return 'the service address must be given without a user name or password';
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !opts.allowInsecure) {
    return (
      `plain http sends the key unencrypted: use https://${url.host}${url.pathname} ` +
      '(plain http is only for this machine, such as the simulator)'
    );
  }
  return null;
}

/** The origin the key would be sent to (scheme, host and port). */
export function apiOrigin(raw: string): string {
  return new URL(raw.trim()).origin;
}
