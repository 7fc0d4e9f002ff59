// The security settings of the shell as plain data: the window's webPreferences, the permissions the page
// may have and the Content-Security-Policy. security.ts applies them; test/unit/app-security.test.ts reads
// them here (no Electron import, only its types) and checks every item of the Electron checklist.
import type { WebPreferences } from 'electron';
import { MEDIA_SCHEME } from '../../shared/media-url.ts';
import { buildCsp } from '../../shared/csp.ts';

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
 * The app's Content-Security-Policy (shared/csp.ts), sent as a response header for every document the app
 * scheme serves. In development Vite needs inline scripts/styles and its HMR websocket.
 */
export function contentSecurityPolicy(opts: { devServer?: string | null } = {}): string {
  const dev = opts.devServer ? new URL(opts.devServer) : null;
  const devWs = dev ? `${dev.protocol === 'https:' ? 'wss:' : 'ws:'}//${dev.host}` : null;
  return buildCsp({ media: `${MEDIA_SCHEME}:`, connect: devWs ? [devWs] : [], dev: dev !== null });
}

/** The production policy (the tests compare the bridge's against it). */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();
