// Issue 11 item 3: thumbnails, "use as reference", export and the media handler read whatever path a
// database row names. A row (or a symlink in the library) pointing outside served that file's thumbnail,
// copied it as a reference and put it in an export zip; the media gate served studio.db and the log. Now
// every such read goes through storedFile(): library/, refs/ and thumbs/ only, after every symlink.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../main/engine/errors.ts';
import { createHandlers, dispatch } from '../../main/engine/handlers.ts';
import { storedFile } from '../../main/engine/files/stored-file.ts';
import { createMediaHandler } from '../../main/engine/media/media-handler.ts';
import { studioMediaLookup } from '../../main/engine/media/media-lookup.ts';
import { Studio } from '../../main/engine/studio.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let root: string;
let dataDir: string;
let outside: string;
let studio: Studio;
let png: Buffer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'qs-gate-'));
  dataDir = join(root, 'data');
  png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#c33' } })
    .png()
    .toBuffer();
  outside = join(root, 'outside.png');
  writeFileSync(
    outside,
    await sharp({ create: { width: 50, height: 50, channels: 3, background: '#3c3' } })
      .png()
      .toBuffer(),
  );
  const source = join(root, 'import');
  mkdirSync(source);
  writeFileSync(join(source, 'a.png'), png);
  studio = new Studio({ dataDir });
  await studio.library.import(source);
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  writeFileSync(join(dataDir, 'logs', 'studio.log'), 'secret log');
  writeFileSync(join(dataDir, 'api-key.bin'), 'secret key');
});
afterAll(async () => {
  await studio.close();
  rmSync(root, { recursive: true, force: true });
});

const assetId = () => internalsOf(studio).library.resolve({ query: '' })[0]!;
function pointAssetAt(path: string): void {
  internalsOf(studio).stores.db.prepare('UPDATE assets SET path = ? WHERE id = ?').run(path, assetId());
}

describe('storedFile', () => {
  it('lets through only regular files inside library/, refs/ and thumbs/', () => {
    const real = internalsOf(studio).library.get(assetId())!.path;
    expect(storedFile(dataDir, real)).toBe(real);
    for (const p of [
      join(dataDir, 'studio.db'),
      join(dataDir, 'logs', 'studio.log'),
      join(dataDir, 'api-key.bin'),
      'studio.db',
      outside,
      join(dataDir, 'library', '..', 'studio.db'),
      join(dataDir, 'library'),
      '',
    ]) {
      expect(storedFile(dataDir, p), p).toBeNull();
    }
  });

  it('follows symlinks: one in the library pointing outside does not pass', () => {
    const link = join(dataDir, 'library', 'escape.png');
    symlinkSync(outside, link);
    expect(storedFile(dataDir, link)).toBeNull();
    const toDb = join(dataDir, 'thumbs', 'db.webp');
    mkdirSync(join(dataDir, 'thumbs'), { recursive: true });
    symlinkSync(join(dataDir, 'studio.db'), toDb);
    expect(storedFile(dataDir, toDb)).toBeNull();
  });
});

describe('every read of a row’s path goes through the gate', () => {
  for (const [label, target] of [
    ['a file outside the data folder', () => outside],
    ['the database', () => join(dataDir, 'studio.db')],
    ['a symlink in the library to outside', () => join(dataDir, 'library', 'escape.png')],
  ] as const) {
    describe(label, () => {
      let original: string;
      beforeAll(() => {
        original = internalsOf(studio).library.get(assetId())!.path;
        pointAssetAt(target());
      });
      afterAll(() => pointAssetAt(original));

      it('gets no thumbnail', async () => {
        expect(await studio.library.thumbnail(assetId())).toBeNull();
      });

      it('is not served as media', async () => {
        const handler = createMediaHandler({
          dataDir,
          appOrigin: 'http://x',
          lookup: studioMediaLookup(studio),
        });
        const res = await handler(new Request(`studio-media://asset/${assetId()}`));
        expect(res.status).toBe(404);
      });

      it('is not copied as a reference', async () => {
        const handlers = createHandlers(studio, {
          keyStore: { get: () => null, set: () => {}, clear: () => {}, kind: () => 'os' },
          version: '0',
        });
        const err = await dispatch(handlers, 'refs.fromAsset', { id: assetId() }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(StudioError);
        expect((err as Error).message).toMatch(/image file is missing/);
      });

      it('is left out of an export (counted as missing)', async () => {
        const out = join(root, `export-${Math.random().toString(36).slice(2)}.zip`);
        const r = await studio.library.export([assetId()], out);
        expect(r.files).toBe(0);
        expect(r.missing).toHaveLength(1);
        const names = await zipNames(out);
        expect(names.filter((n) => !n.startsWith('metadata.'))).toEqual([]);
      });
    });
  }
});

function zipNames(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.readEntry();
    });
  });
}
