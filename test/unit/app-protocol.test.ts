import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMediaHandler,
  imageContentType,
  isViewableImage,
  type MediaRecord,
} from '../../main/engine/media/media-handler.ts';
import { APP_ORIGIN, mediaUrl, parseMediaUrl, type MediaRequest } from '../../shared/media-url.ts';
import { resolveInside } from '../../main/engine/files/resolve-inside.ts';

// Layout:
//   <base>/data/library/a.png            inside
//   <base>/data/refs/<sha>.png            inside
//   <base>/data/library/sub/              a folder (not a file)
//   <base>/data/library/inner-link.png -> ../refs/<sha>.png   (symlink staying inside)
//   <base>/data/library/escape.png     -> <base>/secret.txt    (symlink leaving)
//   <base>/data/library/escape-dir     -> <base>                (directory symlink leaving)
//   <base>/data-link                   -> <base>/data           (the data folder reached through a symlink)
//   <base>/data-sibling/x.png                                   (a prefix look-alike of the data folder)
//   <base>/secret.txt                                           outside
let base: string;
let data: string;
const SHA = 'ab'.repeat(32);
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'qs-protocol-')));
  data = join(base, 'data');
  mkdirSync(join(data, 'library', 'sub'), { recursive: true });
  mkdirSync(join(data, 'refs'), { recursive: true });
  mkdirSync(join(base, 'data-sibling'), { recursive: true });
  writeFileSync(join(data, 'library', 'a.png'), PNG);
  writeFileSync(join(data, 'refs', `${SHA}.png`), PNG);
  writeFileSync(join(base, 'secret.txt'), 'top secret');
  writeFileSync(join(base, 'data-sibling', 'x.png'), PNG);
  symlinkSync(join('..', 'refs', `${SHA}.png`), join(data, 'library', 'inner-link.png'));
  symlinkSync(join(base, 'secret.txt'), join(data, 'library', 'escape.png'));
  symlinkSync(base, join(data, 'library', 'escape-dir'));
  symlinkSync(data, join(base, 'data-link'));
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('resolveInside', () => {
  it('resolves relative and absolute paths of files inside the folder', () => {
    expect(resolveInside(data, 'library/a.png')).toBe(join(data, 'library', 'a.png'));
    expect(resolveInside(data, join(data, 'library', 'a.png'))).toBe(join(data, 'library', 'a.png'));
    expect(resolveInside(data, `refs/${SHA}.png`)).toBe(join(data, 'refs', `${SHA}.png`));
  });

  it('follows a symlink that stays inside, returning the real target', () => {
    expect(resolveInside(data, 'library/inner-link.png')).toBe(join(data, 'refs', `${SHA}.png`));
  });

  it('works when the folder itself is reached through a symlink (either side)', () => {
    const link = join(base, 'data-link');
    expect(resolveInside(link, 'library/a.png')).toBe(join(data, 'library', 'a.png'));
    expect(resolveInside(link, join(data, 'library', 'a.png'))).toBe(join(data, 'library', 'a.png'));
    expect(resolveInside(data, join(link, 'library', 'a.png'))).toBe(join(data, 'library', 'a.png'));
  });

  it('rejects symlinks that point outside, to a file or through a directory', () => {
    expect(resolveInside(data, 'library/escape.png')).toBeNull();
    expect(resolveInside(data, 'library/escape-dir/secret.txt')).toBeNull();
    expect(resolveInside(data, join(data, 'library', 'escape.png'))).toBeNull();
  });

  it('rejects any `..` segment, even one that would land inside', () => {
    expect(resolveInside(data, '../secret.txt')).toBeNull();
    expect(resolveInside(data, 'library/../../secret.txt')).toBeNull();
    expect(resolveInside(data, 'library/../library/a.png')).toBeNull();
    expect(resolveInside(data, 'library\\..\\..\\secret.txt')).toBeNull();
    expect(resolveInside(data, join(data, '..', 'secret.txt'))).toBeNull();
  });

  it('rejects absolute paths elsewhere, including a prefix look-alike folder', () => {
    expect(resolveInside(data, join(base, 'secret.txt'))).toBeNull();
    expect(resolveInside(data, join(base, 'data-sibling', 'x.png'))).toBeNull();
    expect(resolveInside(data, '/etc/passwd')).toBeNull();
  });

  it('rejects NUL bytes, empty input and non-strings', () => {
    expect(resolveInside(data, 'library/a.png\0.txt')).toBeNull();
    expect(resolveInside(data, '')).toBeNull();
    expect(resolveInside('', 'library/a.png')).toBeNull();
    expect(resolveInside(`${data}\0`, 'library/a.png')).toBeNull();
    expect(resolveInside(data, undefined as unknown as string)).toBeNull();
    expect(resolveInside(data, 42 as unknown as string)).toBeNull();
  });

  it('rejects folders, the root itself and missing files', () => {
    expect(resolveInside(data, 'library/sub')).toBeNull();
    expect(resolveInside(data, 'library')).toBeNull();
    expect(resolveInside(data, '.')).toBeNull();
    expect(resolveInside(data, data)).toBeNull();
    expect(resolveInside(data, 'library/missing.png')).toBeNull();
    expect(resolveInside(join(base, 'no-such-folder'), 'a.png')).toBeNull();
  });
});

describe('media URLs', () => {
  it('builds and parses the three kinds', () => {
    expect(mediaUrl('asset', 12)).toBe('studio-media://asset/12');
    expect(mediaUrl('thumb', 12)).toBe('studio-media://thumb/12');
    expect(parseMediaUrl(mediaUrl('thumb', 12))).toEqual({ kind: 'thumb', id: 12 });
    expect(mediaUrl('tile', 12)).toBe('studio-media://tile/12');
    expect(parseMediaUrl(mediaUrl('tile', 12))).toEqual({ kind: 'tile', id: 12 });
    expect(mediaUrl('asset', '7')).toBe('studio-media://asset/7');
    expect(mediaUrl('ref', SHA)).toBe(`studio-media://ref/${SHA}`);
    expect(mediaUrl('ref', `sha256:${SHA.toUpperCase()}`)).toBe(`studio-media://ref/${SHA}`);
    expect(parseMediaUrl(mediaUrl('asset', 12))).toEqual({ kind: 'asset', id: 12 });
    expect(parseMediaUrl(mediaUrl('ref', SHA))).toEqual({ kind: 'ref', sha256: SHA });
    expect(parseMediaUrl('studio-media://ASSET/3/')).toEqual({ kind: 'asset', id: 3 });
  });

  it('refuses to build URLs for ids that cannot exist', () => {
    expect(() => mediaUrl('asset', 0)).toThrow(/asset id/);
    expect(() => mediaUrl('asset', -1)).toThrow(/asset id/);
    expect(() => mediaUrl('asset', 1.5)).toThrow(/asset id/);
    expect(() => mediaUrl('asset', '1/../2')).toThrow(/asset id/);
    expect(() => mediaUrl('ref', 'abc')).toThrow(/64 hex/);
    expect(() => mediaUrl('ref', `${SHA}/../x`)).toThrow(/64 hex/);
    expect(() => mediaUrl('thumb', '1/../2')).toThrow(/asset id/);
    expect(() => mediaUrl('video' as 'asset', 1)).toThrow(/kind/);
  });

  it('parses nothing but the three exact shapes', () => {
    for (const url of [
      'studio-media://asset/0',
      'studio-media://asset/01',
      'studio-media://asset/1/2',
      'studio-media://thumb/0',
      'studio-media://thumb/1/2',
      'studio-media://asset/1?x=1',
      'studio-media://asset/1#x',
      'studio-media://u:p@asset/1',
      'studio-media://asset:80/1',
      'studio-media://ref/abc',
      `studio-media://ref/${SHA}0`,
      'studio-media://library/a.png',
      'studio-media://asset/99999999999999999',
      'studio-app://asset/1',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(parseMediaUrl(url), url).toBeNull();
    }
  });

  it('uses the URL only for an id, never as a path: dot segments are resolved away by URL parsing first', () => {
    // Chromium normalizes these the same way before the handler sees them; what is left is a plain id.
    expect(parseMediaUrl('studio-media://asset/../1')).toEqual({ kind: 'asset', id: 1 });
    expect(parseMediaUrl('studio-media://asset/%2e%2e/1')).toEqual({ kind: 'asset', id: 1 });
    expect(parseMediaUrl('studio-media://asset/%2e%2e%2f1')).toBeNull();
    expect(parseMediaUrl(`studio-media://ref/..%2f..%2f${SHA}`)).toBeNull();
  });
});

describe('media handler', () => {
  function handler(records: Map<string, MediaRecord>, errors: string[] = []) {
    return createMediaHandler({
      dataDir: data,
      appOrigin: APP_ORIGIN,
      lookup: (req: MediaRequest) =>
        records.get(req.kind === 'ref' ? `ref:${req.sha256}` : `${req.kind}:${req.id}`) ?? null,
      onError: (message) => errors.push(message),
    });
  }
  // Built lazily: the paths exist only once beforeAll has run.
  let records: Map<string, MediaRecord>;
  beforeAll(() => {
    records = new Map<string, MediaRecord>([
      ['asset:1', { path: join(data, 'library', 'a.png'), type: 'png' }],
      ['asset:2', { path: join(data, 'library', 'escape.png'), type: 'png' }],
      ['asset:3', { path: join(base, 'secret.txt'), type: 'png' }],
      ['asset:4', { path: 'library/a.png', type: 'text/html' }],
      ['asset:5', { path: join(data, 'library', 'gone.png'), type: 'png' }],
      [`ref:${SHA}`, { path: join(data, 'refs', `${SHA}.png`), type: 'image/png' }],
    ]);
  });

  it('serves a stored image with its type and safe headers', async () => {
    const res = await handler(records)(new Request(mediaUrl('asset', 1)));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-length')).toBe(String(PNG.length));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('serves references by hash, cacheable forever (content-addressed)', async () => {
    const res = await handler(records)(new Request(mediaUrl('ref', SHA)));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('answers HEAD without a body', async () => {
    const res = await handler(records)(new Request(mediaUrl('asset', 1), { method: 'HEAD' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(PNG.length));
    expect(res.body).toBeNull();
  });

  it('never serves a file outside the data folder, whatever the database says', async () => {
    const errors: string[] = [];
    const h = handler(records, errors);
    const viaSymlink = await h(new Request(mediaUrl('asset', 2)));
    const viaPath = await h(new Request(mediaUrl('asset', 3)));
    for (const res of [viaSymlink, viaPath]) {
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('secret');
    }
    expect(errors.filter((e) => e.includes('outside'))).toHaveLength(2);
  });

  it('labels only images as images', async () => {
    const res = await handler(records)(new Request(mediaUrl('asset', 4)));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    await res.arrayBuffer();
    expect(imageContentType('JPEG')).toBe('image/jpeg');
    expect(imageContentType('image/webp')).toBe('image/webp');
    expect(imageContentType('image/svg+xml')).toBe('application/octet-stream');
    expect(imageContentType('text/html')).toBe('application/octet-stream');
  });

  it('answers 404 for unknown records, missing files and malformed URLs; 405 for other methods', async () => {
    const h = handler(records);
    expect((await h(new Request(mediaUrl('asset', 99)))).status).toBe(404);
    expect((await h(new Request(mediaUrl('asset', 5)))).status).toBe(404);
    expect((await h(new Request('studio-media://asset/../../secret.txt'))).status).toBe(404);
    expect((await h(new Request('studio-media://library/a.png'))).status).toBe(404);
    expect((await h(new Request(mediaUrl('asset', 1), { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('hands only image file names to the OS viewer', () => {
    for (const ok of ['/d/library/a.png', '/d/a.JPG', '/d/a.jpeg', '/d/a.webp'])
      expect(isViewableImage(ok), ok).toBe(true);
    for (const bad of [
      '/d/a.exe',
      '/d/a.png.exe',
      '/d/a.desktop',
      '/d/a.command',
      '/d/a.html',
      '/d/a.svg',
      '/d/png',
      '/d/a.png/',
    ])
      expect(isViewableImage(bad), bad).toBe(false);
  });

  it('turns a failing lookup into a 500 without details', async () => {
    const errors: string[] = [];
    const h = createMediaHandler({
      dataDir: data,
      appOrigin: APP_ORIGIN,
      lookup: () => {
        throw new Error('database is locked at /very/private/path');
      },
      onError: (message) => errors.push(message),
    });
    const res = await h(new Request(mediaUrl('asset', 1)));
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('/very/private/path');
    expect(errors).toEqual(['media lookup failed']);
  });
});
