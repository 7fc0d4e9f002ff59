// Reference images: checked, stored once by content in `<data-dir>/refs/`, named by their sha256 token.
import { join } from 'node:path';
import type { RefInfo } from '../../../shared/contract.ts';
import { inspectReference, loadReference, storeReference, type ReferenceFile } from '../batch/refs.ts';
import { StudioError } from '../errors.ts';
import { storedFile } from '../files/stored-file.ts';
import type { RefRecord } from '../store/refs.ts';
import type { Stores } from '../store/stores.ts';

export { ReferenceError, loadReference } from '../batch/refs.ts';

export function toRefInfo(r: RefRecord): RefInfo {
  return {
    token: `sha256:${r.sha256}`,
    sha256: r.sha256,
    fileName: r.fileName,
    mime: r.mime,
    bytes: r.bytes,
    width: r.width,
    height: r.height,
  };
}

export class ReferenceService {
  private readonly dataDir: string;
  private readonly stores: Stores;

  constructor(dataDir: string, stores: Stores) {
    this.dataDir = dataDir;
    this.stores = stores;
  }

  /** Checks a reference image (a path, or bytes with a file name) and keeps it in the data folder. */
  async add(source: string | { data: Buffer; fileName: string }): Promise<RefInfo> {
    const file: ReferenceFile =
      typeof source === 'string'
        ? await loadReference(source)
        : await inspectReference(source.data, source.fileName);
    const path = await storeReference(join(this.dataDir, 'refs'), file);
    const ref = this.stores.refs.add({
      sha256: file.sha256,
      path,
      fileName: file.fileName,
      mime: file.mime,
      bytes: file.bytes,
      width: file.width,
      height: file.height,
    });
    return toRefInfo(ref);
  }

  /** Where a stored reference image is, and its type; null for an unknown sha256. */
  file(sha256: string): { path: string; mime: string } | null {
    const r = this.stores.refs.get(sha256);
    return r ? { path: r.path, mime: r.mime } : null;
  }

  /** Turns a library image into a reference image. */
  async fromAsset(id: number): Promise<RefInfo> {
    const asset = this.stores.assets.get(id);
    if (!asset) throw new StudioError('NOT_FOUND', `Image ${id} is not in the library any more.`);
    const file = storedFile(this.dataDir, asset.path);
    if (!file) {
      throw new StudioError('NOT_FOUND', `Image ${id}'s image file is missing from the library folder.`);
    }
    return this.add(file);
  }
}
