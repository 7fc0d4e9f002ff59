import { describe, expect, it } from 'vitest';
import { isAppUrl, safeExternalUrl } from '../../shared/trusted-url.ts';

describe('isAppUrl', () => {
  const packaged = 'studio-app://app';
  const dev = 'http://localhost:5173';

  it('accepts any path, query and hash on our own origin', () => {
    expect(isAppUrl('studio-app://app/index.html', packaged)).toBe(true);
    expect(isAppUrl('studio-app://app/', packaged)).toBe(true);
    expect(isAppUrl('studio-app://app/library?q=cat#top', packaged)).toBe(true);
    expect(isAppUrl('http://localhost:5173/', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5173/src/main.tsx', dev)).toBe(true);
  });

  it('compares scheme and host case-insensitively, as browsers do', () => {
    expect(isAppUrl('STUDIO-APP://APP/index.html', packaged)).toBe(true);
    expect(isAppUrl('HTTP://LOCALHOST:5173/', dev)).toBe(true);
  });

  it('rejects look-alikes that a prefix or substring test would let through', () => {
    expect(isAppUrl('http://localhost:5173.evil.example/', dev)).toBe(false);
    expect(isAppUrl('http://localhost:51730/', dev)).toBe(false);
    expect(isAppUrl('http://evil.example/?http://localhost:5173/', dev)).toBe(false);
    expect(isAppUrl('http://evil.example/#studio-app://app', packaged)).toBe(false);
    expect(isAppUrl('studio-app://app.evil/index.html', packaged)).toBe(false);
    expect(isAppUrl('studio-app://other/index.html', packaged)).toBe(false);
  });

  it('rejects other schemes and ports on the same host', () => {
    expect(isAppUrl('https://localhost:5173/', dev)).toBe(false);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://localhost/', dev)).toBe(false);
    expect(isAppUrl('file:///index.html', packaged)).toBe(false);
    expect(isAppUrl('studio-media://asset/1', packaged)).toBe(false);
  });

  it('rejects URLs with credentials, NUL bytes and garbage', () => {
    expect(isAppUrl('http://user:pw@localhost:5173/', dev)).toBe(false);
    expect(isAppUrl('http://localhost:5173@evil.example/', dev)).toBe(false);
    expect(isAppUrl('studio-app://app/\0', packaged)).toBe(false);
    expect(isAppUrl('', packaged)).toBe(false);
    expect(isAppUrl('not a url', packaged)).toBe(false);
    expect(isAppUrl('about:blank', packaged)).toBe(false);
    expect(isAppUrl('javascript:alert(1)', packaged)).toBe(false);
  });

  it('rejects everything when the app origin itself is unusable', () => {
    expect(isAppUrl('file:///x/index.html', 'file://')).toBe(false);
    expect(isAppUrl('studio-app://app/', '')).toBe(false);
    expect(isAppUrl('null', 'null')).toBe(false);
  });
});

describe('safeExternalUrl', () => {
  it('passes https links through, normalized', () => {
    expect(safeExternalUrl('https://skills.video')).toBe('https://skills.video/');
    expect(safeExternalUrl('  https://skills.video/docs?a=1#x  ')).toBe('https://skills.video/docs?a=1#x');
    expect(safeExternalUrl('HTTPS://Skills.Video/Path')).toBe('https://skills.video/Path');
  });

  it('refuses every scheme but https', () => {
    for (const url of [
      'http://skills.video/',
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'file:///etc/passwd',
      'file://server/share/x.exe',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox',
      'mailto:someone@example.com',
      'smb://server/share',
      'ms-msdt:/id PCWDiagnostic',
      'studio-media://asset/1',
      'studio-app://app/index.html',
      'ftp://example.com/',
    ]) {
      expect(safeExternalUrl(url), url).toBeNull();
    }
  });

  it('refuses credentials that disguise the destination', () => {
    expect(safeExternalUrl('https://skills.video@evil.example/')).toBeNull();
    expect(safeExternalUrl('https://user:pass@skills.video/')).toBeNull();
  });

  it('refuses unparsable, hostless and oversized input', () => {
    expect(safeExternalUrl('')).toBeNull();
    expect(safeExternalUrl('https://')).toBeNull();
    expect(safeExternalUrl('//skills.video/')).toBeNull();
    expect(safeExternalUrl('skills.video')).toBeNull();
    expect(safeExternalUrl(`https://skills.video/${'a'.repeat(5000)}`)).toBeNull();
    expect(safeExternalUrl(123 as unknown as string)).toBeNull();
  });
});
