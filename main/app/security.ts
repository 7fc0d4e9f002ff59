// Applies the security baseline (DESIGN.md, "Security baseline") to the session and to every web contents
// ever created — windows, and anything a bug or a page might try to open. The policy itself is plain data in
// security-policy.ts; this file only attaches it to Electron.
import { app, type Session, type WebContents } from 'electron';
import { WEB_PREFERENCES, contentSecurityPolicy, isPermissionAllowed } from './security-policy.ts';
import { parseMediaUrl } from '../../shared/media-url.ts';
import { isAppUrl } from '../../shared/trusted-url.ts';

export { WEB_PREFERENCES };

export interface SecurityOptions {
  /** Where our page lives: `studio-app://app` when packaged, the Vite dev server in development. */
  appOrigin: string;
  /** The Vite dev server URL in development (relaxes the CSP for HMR), null in a packaged app. */
  devServer: string | null;
  /** Opens a link in the OS's browser after checking it (external-links.ts). */
  openExternal: (url: string) => void;
  /** Opens one of our media URLs in the OS's image viewer (the page links to full-size images). */
  openMedia: (url: string) => void;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/** webPreferences for a window of ours: the fixed baseline plus the preload path. */
export function windowWebPreferences(preload: string): Electron.WebPreferences {
  return { ...WEB_PREFERENCES, preload };
}

/** Session-wide rules: permissions, CSP on every response, no downloads, no devices. */
export function hardenSession(ses: Session, opts: SecurityOptions): void {
  const csp = contentSecurityPolicy({ devServer: opts.devServer });

  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const ok = isPermissionAllowed(permission) && isAppUrl(details.requestingUrl, opts.appOrigin);
    if (!ok) opts.log('permission request denied', { permission, url: details.requestingUrl.slice(0, 200) });
    callback(ok);
  });
  ses.setPermissionCheckHandler(
    (_contents, permission, requestingOrigin) =>
      isPermissionAllowed(permission) && isAppUrl(requestingOrigin, opts.appOrigin),
  );
  ses.setDevicePermissionHandler(() => false);

  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(details.responseHeaders ?? {})) {
      if (k.toLowerCase() !== 'content-security-policy') headers[k] = v;
    }
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });

  // The page has nothing to download: exports are written by the engine, straight to a chosen folder.
  ses.on('will-download', (event, item) => {
    opts.log('download blocked', { url: item.getURL().slice(0, 200) });
    event.preventDefault();
  });
}

/** Per-contents rules: no webviews, no new windows, no navigation away from our page. */
export function hardenContents(contents: WebContents, opts: SecurityOptions): void {
  contents.on('will-attach-webview', (event) => {
    opts.log('webview blocked');
    event.preventDefault();
  });

  // A link with target=_blank is how the page asks for another page or a full-size image: never a new
  // window of ours — the browser for https links, the image viewer for our media, nothing for the rest.
  const openOutside = (url: string) => (parseMediaUrl(url) ? opts.openMedia(url) : opts.openExternal(url));
  contents.setWindowOpenHandler(({ url }) => {
    openOutside(url);
    return { action: 'deny' };
  });

  const guard = (kind: string, event: Electron.Event, url: string, isMainFrame: boolean) => {
    if (isAppUrl(url, opts.appOrigin)) return;
    event.preventDefault();
    opts.log(`${kind} blocked`, { url: url.slice(0, 200) });
    // A plain link click in the page lands here; giving it to the browser is what the person meant.
    if (kind === 'navigation' && isMainFrame) openOutside(url);
  };
  contents.on('will-navigate', (event) => guard('navigation', event, event.url, event.isMainFrame));
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) guard('frame navigation', event, event.url, false);
  });
  contents.on('will-redirect', (event) => guard('redirect', event, event.url, event.isMainFrame));
}

/** Installs everything: call once, before the first window. */
export function installSecurity(ses: Session, opts: SecurityOptions): void {
  hardenSession(ses, opts);
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, opts));
}
