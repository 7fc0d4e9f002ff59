import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DownloadError,
  downloadErrorFromFs,
  downloadImage,
  sha256File,
  slugForFile,
} from '../../main/engine/library/download.ts';
import { findTruncation, sniffImageFormat } from '../../main/engine/library/image-format.ts';
import { isTempName } from '../../main/engine/files/temp-sweep.ts';

// ---- fixtures --------------------------------------------------------------------------------------------

const W = 64;
const H = 48;
const base = () =>
  sharp({ create: { width: W, height: H, channels: 3, background: { r: 200, g: 30, b: 40 } } });
let png: Buffer;
let jpeg: Buffer;
let webp: Buffer;
let gif: Buffer;

beforeAll(async () => {
  png = await base().png().toBuffer();
  jpeg = await base().jpeg().toBuffer();
  webp = await base().webp().toBuffer();
  gif = await base().gif().toBuffer();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// ---- a small CDN stand-in ----------------------------------------------------------------------------------

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
interface Cdn {
  url: (p: string) => string;
  seen: IncomingHttpHeaders[];
  route: (p: string, h: Handler) => void;
  close: () => Promise<void>;
}

async function startCdn(): Promise<Cdn> {
  const routes = new Map<string, Handler>();
  const seen: IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    const h = routes.get(req.url ?? '');
    if (h) h(req, res);
    else {
      res.statusCode = 404;
      res.end('no such route');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    seen,
    route: (p, h) => routes.set(p, h),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendImage(body: Buffer, type: string, withLength = true): Handler {
  return (_req, res) => {
    res.setHeader('content-type', type);
    if (withLength) res.setHeader('content-length', body.length);
    res.end(body);
  };
}

/** A raw HTTP/1.1 answer without Content-Length or chunking: the body ends when the socket closes. */
async function startRawServer(
  head: string,
  body: Buffer,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.once('data', () => {
      socket.write(head);
      socket.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/img.png`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let cdn: Cdn;
let dir: string;

beforeEach(async () => {
  cdn = await startCdn();
  dir = await mkdtemp(path.join(os.tmpdir(), 'qs-download-'));
});
afterEach(async () => {
  await cdn.close();
  await rm(dir, { recursive: true, force: true });
});

async function filesIn(d: string): Promise<string[]> {
  return (await readdir(d)).sort();
}

async function expectFailure(p: Promise<unknown>, kind: DownloadError['kind']): Promise<DownloadError> {
  const err = await p.then(
    () => {
      throw new Error('expected the download to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DownloadError);
  const de = err as DownloadError;
  expect(de.kind, de.message).toBe(kind);
  // A failure leaves nothing behind: no partial file, no half-stored image.
  expect((await filesIn(dir)).filter(isTempName)).toEqual([]);
  return de;
}

// ---- happy paths -----------------------------------------------------------------------------------------

describe('downloadImage: success', () => {
  it.each([
    ['png', 'image/png', 'png'],
    ['jpeg', 'image/jpeg', 'jpg'],
    ['webp', 'image/webp', 'webp'],
  ] as const)('stores a %s result under its hash with its dimensions', async (format, mime, ext) => {
    const bytes = { png, jpeg, webp }[format];
    cdn.route('/r/x', sendImage(bytes, mime));
    const target = path.join(dir, 'library', '2026-11');
    const got = await downloadImage({ url: cdn.url('/r/x'), dir: target, baseName: '0001-a-red-car' });

    const digest = sha(bytes);
    expect(got).toEqual({
      path: path.join(target, `0001-a-red-car-${digest.slice(0, 10)}.${ext}`),
      sha256: digest,
      bytes: bytes.length,
      width: W,
      height: H,
      format,
      contentType: mime,
      reused: false,
      unexpectedFormat: false,
      fileSha256: digest,
      fileBytes: bytes.length,
    });
    expect(await readFile(got.path)).toEqual(bytes);
    expect(await sha256File(got.path)).toBe(digest);
    expect(await filesIn(target)).toEqual([path.basename(got.path)]);
  });

  it('never sends an Authorization header, also not after a redirect', async () => {
    cdn.route('/moved', (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', '/final');
      res.end();
    });
    cdn.route('/final', sendImage(png, 'image/png'));
    const got = await downloadImage({ url: cdn.url('/moved'), dir, baseName: 'moved' });
    expect(got.format).toBe('png');
    expect(cdn.seen).toHaveLength(2);
    for (const headers of cdn.seen) expect(headers.authorization).toBeUndefined();
  });

  it('accepts a chunked body without Content-Length and a generic binary content type', async () => {
    cdn.route('/chunked', (_req, res) => {
      res.setHeader('content-type', 'application/octet-stream');
      res.write(jpeg.subarray(0, 100));
      res.end(jpeg.subarray(100));
    });
    const got = await downloadImage({ url: cdn.url('/chunked'), dir, baseName: 'c' });
    expect(got.format).toBe('jpeg');
    expect(got.sha256).toBe(sha(jpeg));
  });

  it('trusts the bytes over a mislabelled image type and flags an unexpected format', async () => {
    cdn.route('/mislabelled', sendImage(webp, 'image/png'));
    const got = await downloadImage({
      url: cdn.url('/mislabelled'),
      dir,
      baseName: 'm',
      expectedFormat: 'png',
    });
    expect(got.format).toBe('webp');
    expect(got.contentType).toBe('image/webp');
    expect(got.path.endsWith('.webp')).toBe(true);
    expect(got.unexpectedFormat).toBe(true);
  });

  it('keeps a GIF', async () => {
    cdn.route('/g', sendImage(gif, 'image/gif'));
    const got = await downloadImage({ url: cdn.url('/g'), dir, baseName: 'g' });
    expect(got).toMatchObject({ format: 'gif', width: W, height: H });
  });
});

// ---- same bytes twice = one file -------------------------------------------------------------------------

describe('downloadImage: dedupe', () => {
  it('returns the library file that already holds these bytes and adds nothing', async () => {
    cdn.route('/a', sendImage(png, 'image/png'));
    const first = await downloadImage({ url: cdn.url('/a'), dir, baseName: '0001-first' });
    const asked: string[] = [];
    const second = await downloadImage({
      url: cdn.url('/a'),
      dir,
      baseName: '0002-second',
      findExisting: (h) => {
        asked.push(h);
        return h === first.sha256 ? first.path : null;
      },
    });
    expect(asked).toEqual([first.sha256]);
    expect(second).toMatchObject({
      path: first.path,
      reused: true,
      sha256: first.sha256,
      width: W,
      height: H,
    });
    expect(await filesIn(dir)).toEqual([path.basename(first.path)]);
  });

  it('ignores a library record whose file is gone and stores the bytes again', async () => {
    cdn.route('/a', sendImage(png, 'image/png'));
    const got = await downloadImage({
      url: cdn.url('/a'),
      dir,
      baseName: 'again',
      findExisting: () => path.join(dir, 'deleted-by-the-user.png'),
    });
    expect(got.reused).toBe(false);
    expect(await readFile(got.path)).toEqual(png);
  });

  it('reuses the same-named file without rewriting it', async () => {
    cdn.route('/a', sendImage(jpeg, 'image/jpeg'));
    const first = await downloadImage({ url: cdn.url('/a'), dir, baseName: 'same' });
    const before = await stat(first.path);
    const second = await downloadImage({ url: cdn.url('/a'), dir, baseName: 'same' });
    expect(second).toMatchObject({ path: first.path, reused: true });
    const after = await stat(first.path);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(await filesIn(dir)).toEqual([path.basename(first.path)]);
  });

  it('never overwrites a different file that holds the short name', async () => {
    const short = path.join(dir, `clash-${sha(png).slice(0, 10)}.png`);
    await writeFile(short, Buffer.alloc(png.length, 7)); // same size, other bytes
    cdn.route('/a', sendImage(png, 'image/png'));
    const got = await downloadImage({ url: cdn.url('/a'), dir, baseName: 'clash' });
    expect(got.path).toBe(path.join(dir, `clash-${sha(png)}.png`));
    expect(await readFile(short)).toEqual(Buffer.alloc(png.length, 7));
    expect(await readFile(got.path)).toEqual(png);
  });
});

// ---- failures --------------------------------------------------------------------------------------------

describe('downloadImage: failures', () => {
  it('reports a body cut short against Content-Length as transient', async () => {
    cdn.route('/cut', (_req, res) => {
      res.setHeader('content-type', 'image/png');
      res.setHeader('content-length', png.length);
      res.write(png.subarray(0, Math.floor(png.length / 2)), () => res.destroy());
    });
    const err = await expectFailure(
      downloadImage({ url: cdn.url('/cut'), dir, baseName: 'cut' }),
      'transient',
    );
    expect(err.message).toContain('cut short');
    expect(err.message).toContain(`of ${png.length} bytes`);
    expect(await filesIn(dir)).toEqual([]);
  });

  it('catches a truncated PNG sent without Content-Length (socket closed early)', async () => {
    const raw = await startRawServer(
      'HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nConnection: close\r\n\r\n',
      png.subarray(0, png.length - 20),
    );
    try {
      const err = await expectFailure(downloadImage({ url: raw.url, dir, baseName: 'raw' }), 'transient');
      expect(err.message).toMatch(/PNG file ends/);
    } finally {
      await raw.close();
    }
  });

  it('rejects an HTML page served with 200 as invalid', async () => {
    cdn.route('/html', (_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<!doctype html><html><body>Link expired</body></html>');
    });
    const err = await expectFailure(downloadImage({ url: cdn.url('/html'), dir, baseName: 'h' }), 'invalid');
    expect(err.message).toContain('text/html');
    expect(err.message).toContain('Link expired');
  });

  it('rejects non-image bytes even when labelled image/png', async () => {
    cdn.route('/fake', sendImage(Buffer.from('{"error":"not here"}'), 'image/png'));
    const err = await expectFailure(downloadImage({ url: cdn.url('/fake'), dir, baseName: 'f' }), 'invalid');
    expect(err.message).toContain('not a PNG, JPEG, WebP or GIF');
  });

  it('rejects image bytes under a content type that contradicts them', async () => {
    cdn.route('/contra', sendImage(png, 'text/html'));
    await expectFailure(downloadImage({ url: cdn.url('/contra'), dir, baseName: 'c' }), 'invalid');
  });

  it.each([401, 403, 404, 410])('maps %i to expired', async (status) => {
    cdn.route('/gone', (_req, res) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/xml');
      res.end('<Error><Code>AccessDenied</Code></Error>');
    });
    const err = await expectFailure(downloadImage({ url: cdn.url('/gone'), dir, baseName: 'x' }), 'expired');
    expect(err.status).toBe(status);
    expect(err.message).toContain('AccessDenied');
    expect(err.message).toContain('fresh link');
  });

  it.each([408, 429, 500, 503])('maps %i to transient', async (status) => {
    cdn.route('/busy', (_req, res) => {
      res.statusCode = status;
      res.end();
    });
    const err = await expectFailure(
      downloadImage({ url: cdn.url('/busy'), dir, baseName: 'x' }),
      'transient',
    );
    expect(err.status).toBe(status);
  });

  it('refuses a body over maxBytes, announced by Content-Length or not', async () => {
    cdn.route('/big', sendImage(png, 'image/png'));
    cdn.route('/big-chunked', sendImage(png, 'image/png', false));
    for (const route of ['/big', '/big-chunked']) {
      const err = await expectFailure(
        downloadImage({ url: cdn.url(route), dir, baseName: 'big', maxBytes: png.length - 1 }),
        'invalid',
      );
      expect(err.message).toContain('limit');
    }
    expect(await filesIn(dir)).toEqual([]);
  });

  it('treats a connection refused and a server that never answers as transient', async () => {
    const closed = await startCdn();
    const deadUrl = closed.url('/x');
    await closed.close();
    await expectFailure(downloadImage({ url: deadUrl, dir, baseName: 'x' }), 'transient');

    cdn.route('/silent', () => undefined); // never answers
    const err = await expectFailure(
      downloadImage({ url: cdn.url('/silent'), dir, baseName: 'x', timeouts: { headersMs: 300 } }),
      'transient',
    );
    expect(err.message).toContain('did not answer in time');
  });

  it('rejects with the abort reason when the caller cancels mid-body', async () => {
    const ctrl = new AbortController();
    cdn.route('/slow', (_req, res) => {
      res.setHeader('content-type', 'image/png');
      res.setHeader('content-length', png.length);
      res.write(png.subarray(0, 50), () => ctrl.abort());
    });
    const err = await downloadImage({ url: cdn.url('/slow'), dir, baseName: 's', signal: ctrl.signal }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).name).toBe('AbortError');
    expect(await filesIn(dir)).toEqual([]);
  });

  it('rejects links that are not http(s) URLs without touching the disk', async () => {
    const target = path.join(dir, 'never-made');
    for (const url of ['not a url', 'file:///etc/passwd']) {
      const err = await downloadImage({ url, dir: target, baseName: 'x' }).catch((e: unknown) => e);
      expect((err as DownloadError).kind).toBe('invalid');
    }
    await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a baseName that could leave the folder', async () => {
    await expect(downloadImage({ url: cdn.url('/a'), dir, baseName: '../escape' })).rejects.toThrow(
      TypeError,
    );
    await expect(downloadImage({ url: cdn.url('/a'), dir, baseName: '.hidden' })).rejects.toThrow(TypeError);
  });

  it('reports an unusable folder as a disk error before fetching anything', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'x');
    cdn.route('/a', sendImage(png, 'image/png'));
    const err = await downloadImage({ url: cdn.url('/a'), dir: path.join(file, 'sub'), baseName: 'x' }).catch(
      (e: unknown) => e,
    );
    expect((err as DownloadError).kind).toBe('disk');
    expect((err as DownloadError).message).toContain(path.join(file, 'sub'));
    expect(cdn.seen).toHaveLength(0);
  });
});

describe('downloadErrorFromFs', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

  it('turns a full disk into an actionable disk error', () => {
    const e = downloadErrorFromFs(errno('ENOSPC'), '/data/library');
    expect(e.kind).toBe('disk');
    expect(e.message).toBe(
      'The disk holding /data/library is full — free some space, then resume the queue.',
    );
    expect(e.cause).toMatchObject({ code: 'ENOSPC' });
    expect(downloadErrorFromFs(errno('EDQUOT'), '/d')).toMatchObject({
      kind: 'disk',
      message: expect.stringMatching(/quota/),
    });
  });

  it('names permission and read-only problems', () => {
    expect(downloadErrorFromFs(errno('EACCES'), '/d').message).toMatch(/permission denied/);
    expect(downloadErrorFromFs(errno('EROFS'), '/d').message).toMatch(/read-only/);
    expect(downloadErrorFromFs(errno('EIO'), '/d')).toMatchObject({
      kind: 'disk',
      message: expect.stringMatching(/EIO/),
    });
    expect(downloadErrorFromFs(errno('EMFILE'), '/d').kind).toBe('transient');
  });
});

// ---- helpers ---------------------------------------------------------------------------------------------

describe('image-format', () => {
  it('sniffs formats by their bytes', () => {
    expect(sniffImageFormat(png)).toBe('png');
    expect(sniffImageFormat(jpeg)).toBe('jpeg');
    expect(sniffImageFormat(webp)).toBe('webp');
    expect(sniffImageFormat(gif)).toBe('gif');
    expect(sniffImageFormat(Buffer.from('<html>'))).toBeNull();
    expect(sniffImageFormat(Buffer.alloc(0))).toBeNull();
  });

  it('sees whole files as whole and cut files as cut', () => {
    const all = { png, jpeg, webp, gif } as const;
    for (const format of ['png', 'jpeg', 'webp', 'gif'] as const) {
      const whole = all[format];
      expect(findTruncation(format, whole), format).toBeNull();
      expect(findTruncation(format, whole.subarray(0, whole.length - 7)), format).not.toBeNull();
    }
    expect(findTruncation('jpeg', Buffer.concat([jpeg, Buffer.alloc(4)]))).toBeNull(); // zero padding is fine
  });
});

describe('slugForFile', () => {
  it.each([
    ['A red car, 红色!', 'a-red-car-红色'],
    ['  Hello,   World...  ', 'hello-world'],
    ['一只在月光下的猫', '一只在月光下的猫'],
    ['Café crème — ÉTÉ 2026', 'café-crème-été-2026'],
    ['../../etc/passwd', 'etc-passwd'],
    ['', 'image'],
    ['!!!', 'image'],
    ['🎨🖼️', 'image'],
  ])('%j → %j', (input, expected) => {
    expect(slugForFile(input)).toBe(expected);
  });

  it('cuts to maxLen characters without leaving a separator or splitting a character', () => {
    expect(slugForFile('a'.repeat(100))).toHaveLength(48);
    expect(slugForFile('abc def ghi', 4)).toBe('abc');
    expect(slugForFile('猫'.repeat(60), 10)).toBe('猫'.repeat(10));
    expect(slugForFile('𠀋𠀋𠀋', 2)).toBe('𠀋𠀋');
  });
});
