// The security settings of the shell as plain data: the window's webPreferences, the permissions the page
// may have and the Content-Security-Policy. security.ts applies them; test/unit/app-security.test.ts reads
// them here (no Electron import, only its types) and checks every item of the Electron checklist.
import type { WebPreferences } from 'electron';
import { MEDIA_SCHEME } from '../../shared/media-url.ts';

/**
 * Every BrowserWindow gets these (plus its `preload`). `webSecurity` is deliberately absent: its default
 * (on) is what we want, and the checklist item is "never touch it".
 */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webviewTag: false,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  // Chromium's spellchecker downloads dictionaries from Google's servers on Windows and Linux; the app
  // makes no network request the person did not ask for.
  spellcheck: false,
} as const satisfies WebPreferences;

/**
 * The only permission the page may use: writing to the clipboard ("copy prompt", "copy image").
 * Notifications are shown by the main process, so the page needs no `notifications` permission.
 */
export const ALLOWED_PERMISSIONS: readonly string[] = ['clipboard-sanitized-write'];

export function isPermissionAllowed(permission: string): boolean {
  return ALLOWED_PERMISSIONS.includes(permission);
}

/**
 * The page's Content-Security-Policy, sent as a response header for every document and repeated by the
 * renderer's index.html in a `<meta http-equiv="Content-Security-Policy">` (both apply; the stricter wins).
 * Images come from our own media scheme or from data:/blob: URLs of files the person just picked; nothing
 * is loaded from the network. Styles must be files (React's `style={}` sets CSSOM properties and is not
 * affected). In development Vite needs inline scripts/styles and its HMR websocket.
 */
export function contentSecurityPolicy(opts: { devServer?: string | null } = {}): string {
  const media = `${MEDIA_SCHEME}:`;
  const dev = opts.devServer ? new URL(opts.devServer) : null;
  const devWs = dev ? `${dev.protocol === 'https:' ? 'wss:' : 'ws:'}//${dev.host}` : '';
  const directives: [string, string][] = [
    ['default-src', "'none'"],
    ['script-src', dev ? "'self' 'unsafe-inline'" : "'self'"],
    ['style-src', dev ? "'self' 'unsafe-inline'" : "'self'"],
    ['img-src', `'self' ${media} data: blob:`],
    ['media-src', `'self' ${media} blob:`],
    ['font-src', "'self' data:"],
    ['connect-src', dev ? `'self' ${media} ${devWs}` : `'self' ${media}`],
    ['object-src', "'none'"],
    ['frame-src', "'none'"],
    ['worker-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-ancestors', "'none'"],
  ];
  return directives.map(([k, v]) => `${k} ${v}`).join('; ');
}

/** The production policy, for the renderer's `<meta>` tag and the tests. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();
