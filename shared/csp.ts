// The page's Content-Security-Policy, written once for both ways the page is served: the app's custom
// scheme (main/app/security-policy.ts) and the browser bridge (main/bridge/static.ts). Both send it as a
// response header; index.html carries no <meta> policy. Images come from our own media URLs or from data:/
// blob: URLs of files the person just picked; nothing is loaded from the network. Styles must be files
// (React's `style={}` sets CSSOM properties and is not affected).

export interface CspOptions {
  /** Where media URLs point besides 'self' (the app's `studio-media:` scheme; nothing for the bridge). */
  media?: string | null;
  /** Extra connect-src sources: the bridge's own event socket, Vite's HMR socket in development. */
  connect?: readonly string[];
  /** Vite's development server needs inline scripts and styles. */
  dev?: boolean;
}

export function buildCsp(opts: CspOptions = {}): string {
  const media = opts.media ? ` ${opts.media}` : '';
  const connect = [...(opts.media ? [opts.media] : []), ...(opts.connect ?? [])];
  const inline = opts.dev ? " 'unsafe-inline'" : '';
  const directives: [string, string][] = [
    ['default-src', "'none'"],
    ['script-src', `'self'${inline}`],
    ['style-src', `'self'${inline}`],
    ['img-src', `'self'${media} data: blob:`],
    ['media-src', `'self'${media} blob:`],
    ['font-src', "'self' data:"],
    ['connect-src', ["'self'", ...connect].join(' ')],
    ['object-src', "'none'"],
    ['frame-src', "'none'"],
    ['worker-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-ancestors', "'none'"],
  ];
  return directives.map(([k, v]) => `${k} ${v}`).join('; ');
}
