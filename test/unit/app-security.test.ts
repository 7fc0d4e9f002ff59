// Static checks of the Electron shell against the security checklist (DESIGN.md, "Security baseline"). The app
// cannot be launched here, so this reads the policy constants, the sources that apply them, the build config
// and electron-builder.yml, and fails when any checklist item is dropped.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ALLOWED_PERMISSIONS,
  CONTENT_SECURITY_POLICY,
  WEB_PREFERENCES,
  contentSecurityPolicy,
  isPermissionAllowed,
} from '../../main/app/security-policy.ts';

const root = resolve(import.meta.dirname, '..', '..');
const source = (rel: string) => readFileSync(join(root, rel), 'utf8');
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('webPreferences', () => {
  it('isolates and sandboxes the page, with no Node anywhere', () => {
    expect(WEB_PREFERENCES.contextIsolation).toBe(true);
    expect(WEB_PREFERENCES.sandbox).toBe(true);
    expect(WEB_PREFERENCES.nodeIntegration).toBe(false);
    expect(WEB_PREFERENCES.nodeIntegrationInWorker).toBe(false);
    expect(WEB_PREFERENCES.nodeIntegrationInSubFrames).toBe(false);
  });

  it('disables webviews, insecure content, experimental features and drag-drop navigation', () => {
    expect(WEB_PREFERENCES.webviewTag).toBe(false);
    expect(WEB_PREFERENCES.allowRunningInsecureContent).toBe(false);
    expect(WEB_PREFERENCES.experimentalFeatures).toBe(false);
    expect(WEB_PREFERENCES.navigateOnDragDrop).toBe(false);
  });

  it('leaves webSecurity alone and enables no Blink features', () => {
    expect(Object.keys(WEB_PREFERENCES)).not.toContain('webSecurity');
    expect(Object.keys(WEB_PREFERENCES)).not.toContain('enableBlinkFeatures');
    expect(Object.keys(WEB_PREFERENCES)).not.toContain('preload');
  });

  it('is what every window gets: the constant plus the preload, nothing overridden', () => {
    expect(source('main/app/security.ts')).toMatch(/return \{ \.\.\.WEB_PREFERENCES, preload \};/);
    const main = source('main/app/main.ts');
    const windows = main.match(/new BrowserWindow\(/g) ?? [];
    expect(windows.length).toBeGreaterThan(0);
    expect(main.match(/webPreferences: windowWebPreferences\(preloadPath\)/g)?.length).toBe(windows.length);
  });

  it('is not weakened anywhere in the shell', () => {
    for (const file of [
      'main/app/main.ts',
      'main/app/security.ts',
      'main/app/protocol.ts',
      'main/preload.ts',
    ]) {
      const text = source(file);
      expect(text, file).not.toMatch(/webSecurity\s*:/);
      expect(text, file).not.toMatch(
        /contextIsolation\s*:\s*false|sandbox\s*:\s*false|nodeIntegration\s*:\s*true/,
      );
      expect(text, file).not.toMatch(/allowRunningInsecureContent\s*:\s*true|bypassCSP\s*:\s*true/);
      expect(text, file).not.toMatch(/loadFile\(/);
    }
    // The page is loaded from our own scheme (or the dev server), never from file://.
    expect(source('main/app/main.ts')).toMatch(
      /const pageUrl = devServer \?\? `\$\{APP_ORIGIN\}\/index\.html`;/,
    );
    expect(source('main/app/main.ts')).toMatch(/w\.loadURL\(pageUrl\)/);
  });
});

describe('permissions', () => {
  it('allow clipboard writes and nothing else', () => {
    expect(ALLOWED_PERMISSIONS).toEqual(['clipboard-sanitized-write']);
    expect(isPermissionAllowed('clipboard-sanitized-write')).toBe(true);
    for (const p of [
      'notifications',
      'media',
      'geolocation',
      'clipboard-read',
      'openExternal',
      'fullscreen',
      'hid',
      'usb',
      'serial',
      'unknown',
      '',
    ]) {
      expect(isPermissionAllowed(p), p).toBe(false);
    }
  });

  it('are enforced for requests and checks, per origin, with devices refused', () => {
    const text = source('main/app/security.ts');
    expect(text).toMatch(
      /setPermissionRequestHandler\([\s\S]*isPermissionAllowed\(permission\) && isAppUrl\(details\.requestingUrl/,
    );
    expect(text).toMatch(
      /setPermissionCheckHandler\([\s\S]*isPermissionAllowed\(permission\) && isAppUrl\(requestingOrigin/,
    );
    expect(text).toMatch(/setDevicePermissionHandler\(\(\) => false\)/);
  });
});

describe('navigation, windows, webviews', () => {
  const text = source('main/app/security.ts');

  it('hardens every web contents ever created', () => {
    expect(text).toMatch(
      /app\.on\('web-contents-created', \(_event, contents\) => hardenContents\(contents, opts\)\)/,
    );
  });

  it('denies window.open, sending https links to the OS browser and media to the image viewer', () => {
    expect(text).toMatch(
      /setWindowOpenHandler\(\(\{ url \}\) => \{\s*openOutside\(url\);\s*return \{ action: 'deny' \};/,
    );
    expect(text).toMatch(
      /const openOutside = \(url: string\) => \(parseMediaUrl\(url\) \? opts\.openMedia\(url\) : opts\.openExternal\(url\)\);/,
    );
    expect(source('main/app/external-links.ts')).toMatch(
      /const safe = safeExternalUrl\(url\);[\s\S]*shell\.openExternal\(safe/,
    );
  });

  it('denies navigation and redirects away from our origin, in every frame', () => {
    expect(text).toMatch(/if \(isAppUrl\(url, opts\.appOrigin\)\) return;\s*event\.preventDefault\(\);/);
    for (const ev of ['will-navigate', 'will-frame-navigate', 'will-redirect'])
      expect(text).toContain(`contents.on('${ev}'`);
  });

  it('prevents webviews and downloads', () => {
    expect(text).toMatch(/on\('will-attach-webview', \(event\) => \{[\s\S]*?event\.preventDefault\(\);/);
    expect(text).toMatch(/on\('will-download', \(event, item\) => \{[\s\S]*?event\.preventDefault\(\);/);
  });
});

describe('Content-Security-Policy', () => {
  const csp = directives(CONTENT_SECURITY_POLICY);

  it('denies by default and allows scripts and styles only from the app itself', () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('frame-src')).toEqual(["'none'"]);
  });

  it('loads images from the media scheme and local data only, never the network', () => {
    expect(csp.get('img-src')).toEqual(["'self'", 'studio-media:', 'data:', 'blob:']);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/\*|https?:|wss?:|'unsafe-eval'|'unsafe-inline'/);
  });

  it('relaxes only what Vite needs in development, for its own server', () => {
    const dev = directives(contentSecurityPolicy({ devServer: 'http://localhost:5173' }));
    expect(dev.get('script-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(dev.get('connect-src')).toEqual(["'self'", 'studio-media:', 'ws://localhost:5173']);
    expect(dev.get('default-src')).toEqual(["'none'"]);
    expect([...dev.values()].flat()).not.toContain("'unsafe-eval'");
  });

  it('is sent as a header on every response and on every page the app scheme serves', () => {
    expect(source('main/app/security.ts')).toMatch(
      /webRequest\.onHeadersReceived[\s\S]*headers\['Content-Security-Policy'\] = \[csp\]/,
    );
    expect(source('main/app/protocol.ts')).toMatch(/headers\.set\('Content-Security-Policy', opts\.csp\)/);
  });
});

describe('custom schemes', () => {
  const text = source('main/app/protocol.ts');

  it('are standard and secure, and neither bypasses the CSP', () => {
    const registration = text.slice(text.indexOf('registerSchemesAsPrivileged'), text.indexOf(']);'));
    expect(registration.match(/standard: true, secure: true, supportFetchAPI: true/g)).toHaveLength(2);
    expect(registration).not.toContain('bypassCSP');
  });

  it('serve media only through the data-folder gate', () => {
    expect(source('main/engine/media/media-handler.ts')).toMatch(
      /const file = storedFile\(opts\.dataDir, record\.path\);/,
    );
    expect(text).toMatch(
      /const file = record \? storedFile\(studio\.dataDir, record\.path\) : null;\s*if \(!file \|\| !isViewableImage\(file\)\) return false;/,
    );
    expect(text).toMatch(/const file = resolveInside\(opts\.rendererDir, rel\);/);
  });
});

describe('preload', () => {
  const text = source('main/preload.ts');

  it('exposes one object, `studio`, and nothing raw', () => {
    expect(text.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(text).toMatch(/contextBridge\.exposeInMainWorld\('studio', api\);/);
    // ipcRenderer is only ever called, never handed over as a value.
    const body = text.replace(/^import .*$/gm, '').replace(/\/\/.*$/gm, '');
    const uses = [...body.matchAll(/\bipcRenderer\b(.{0,8})/g)].map((m) => m[1]);
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^\.(on|invoke)\(/);
  });

  it('imports, transitively, nothing the sandbox cannot load (only electron and our pure modules)', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/^import (type )?[^'"]*['"]([^'"]+)['"]/gm)) {
        const [, typeOnly, spec] = m;
        if (typeOnly) continue;
        if (spec!.startsWith('.')) visit(resolve(dirname(file), spec!));
        else expect(spec, `${file} imports ${spec}`).toBe('electron');
      }
    };
    visit(join(root, 'main/preload.ts'));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('is built as one CommonJS file, with dependencies bundled (a sandboxed preload cannot be ESM)', async () => {
    const config = (await import('../../electron.vite.config.ts')).default as {
      preload: {
        build: {
          externalizeDeps: unknown;
          rolldownOptions: { output: { format: string; entryFileNames: string } };
        };
      };
    };
    expect(config.preload.build.rolldownOptions.output.format).toBe('cjs');
    expect(config.preload.build.rolldownOptions.output.entryFileNames).toBe('[name].cjs');
    expect(config.preload.build.externalizeDeps).toBe(false);
    expect(source('main/app/main.ts')).toContain("join(here, '..', 'preload', 'index.cjs')");
  });
});

describe('electron-builder.yml', () => {
  const config = yaml.load(source('electron-builder.yml')) as Record<string, unknown> & {
    electronFuses: Record<string, boolean>;
    asarUnpack: string[];
    files: string[];
  };

  it('flips every fuse of the checklist', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs the built app in an asar, with the native modules unpacked', () => {
    expect(config.asar).toBe(true);
    expect(config.files).toEqual(expect.arrayContaining(['out/**', 'package.json']));
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining([
        '**/node_modules/better-sqlite3/**',
        '**/node_modules/sharp/**',
        '**/node_modules/@img/**',
      ]),
    );
    expect(config.productName).toBe('Qwen Studio');
  });
});
