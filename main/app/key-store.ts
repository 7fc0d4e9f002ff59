// The API key at rest: encrypted with Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet) in
// <userData>/api-key.bin, mode 0600 — never in SQLite, logs, the page or an error message. The cipher is
// injected, so this file has no Electron import and its file handling is tested with a fake cipher.
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KeyStore } from '../engine/handlers.ts';
import { apiKeyFromEnv } from '../cli/common.ts';
import { writeFileAtomicSync } from '../engine/files/atomic-write.ts';

export const KEY_FILE_NAME = 'api-key.bin';
export const KEY_ENV_VAR = 'QWEN_STUDIO_API_KEY';
/** A format tag in front of the ciphertext: an unrelated or truncated file is recognised, not "decrypted". */
const MAGIC = Buffer.from('QSK1');
const MAX_FILE_BYTES = 64 * 1024;

/** What the store needs of safeStorage (the async API; the sync one is deprecated in Electron 45). */
export interface KeyCipher {
  isAvailable(): Promise<boolean>;
  encrypt(plain: string): Promise<Buffer>;
  decrypt(data: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux's secret-store backend (`basic_text` = a built-in password, i.e. weak); null on other systems. */
  backend(): string | null;
}

export interface KeyStoreOptions {
  file: string;
  cipher: KeyCipher;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Problems worth a log line; never given the key itself. */
  warn?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface AppKeyStore extends KeyStore {
  /** Resolves when every save or delete started so far is on disk (or has failed and been reported). */
  flush(): Promise<void>;
}

export function encodeKeyFile(ciphertext: Buffer): Buffer {
  return Buffer.concat([MAGIC, ciphertext]);
}

/** The ciphertext inside a key file, or null when the bytes are not a key file of ours. */
export function decodeKeyFile(data: Buffer): Buffer | null {
  if (data.length <= MAGIC.length || data.length > MAX_FILE_BYTES) return null;
  if (!data.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  return data.subarray(MAGIC.length);
}

/** Written through a 0600 temporary file and renamed, so the key is never readable by others, even briefly. */
export function writeKeyFile(file: string, ciphertext: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomicSync(file, encodeKeyFile(ciphertext), { mode: 0o600 });
}

/**
 * The ciphertext on disk, or null when there is none or it is not ours. A file others can read is narrowed
 * back to 0600 first (a backup tool or a copy may have widened it).
 */
export function readKeyFile(file: string, platform: NodeJS.Platform = process.platform): Buffer | null {
  let data: Buffer;
  try {
    if (platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    data = readFileSync(file);
  } catch {
    return null;
  }
  return decodeKeyFile(data);
}

/**
 * Opens the store: reads and decrypts the saved key once (so `get()` is cheap and synchronous, as the engine
 * asks for the key on every request). `set`/`clear` take effect at once in memory and are written in order
 * in the background; `flush()` waits for the writes.
 */
export async function openKeyStore(opts: KeyStoreOptions): Promise<AppKeyStore> {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  let envKey: string | null = apiKeyFromEnv(env);
  const available = await opts.cipher.isAvailable().catch(() => false);
  // On Linux without a keyring, Chromium encrypts with a fixed password: better than plain text, but any
  // program running as this user can undo it. The UI says so.
  const weak = !available || (platform === 'linux' && opts.cipher.backend() === 'basic_text');

  let key: string | null = null;
  let pending: Promise<void> = Promise.resolve();
  const enqueue = (task: () => Promise<void>) => {
    pending = pending.then(task).catch((err: unknown) => {
      opts.warn?.('could not update the saved API key', { file: opts.file, error: (err as Error).message });
    });
  };

  const saved = available ? readKeyFile(opts.file, platform) : null;
  if (saved) {
    try {
      const { result, shouldReEncrypt } = await opts.cipher.decrypt(saved);
      key = result.trim() || null;
      if (key && shouldReEncrypt) {
        const k = key;
        enqueue(async () => writeKeyFile(opts.file, await opts.cipher.encrypt(k)));
      }
    } catch (err) {
      // Typically the OS keyring changed (new login keychain, another machine): the key must be pasted again.
      opts.warn?.('the saved API key could not be decrypted; it must be entered again', {
        file: opts.file,
        error: (err as Error).message,
      });
    }
  }
  if (!available) {
    opts.warn?.('no OS secret storage is available; an API key entered now is kept for this session only');
  }

  return {
    get: () => envKey ?? key,
    set: (next: string) => {
      const k = next.trim();
      if (!k) throw new Error('An empty API key cannot be saved.');
      key = k;
      // A key pasted in the app replaces the environment's for the rest of this run (and is saved).
      envKey = null;
      if (!available) return;
      enqueue(async () => writeKeyFile(opts.file, await opts.cipher.encrypt(k)));
    },
    clear: () => {
      key = null;
      enqueue(async () => rmSync(opts.file, { force: true }));
    },
    kind: () => {
      if (envKey) return 'env';
      if (!key) return 'none';
      return weak ? 'weak' : 'os';
    },
    flush: () => pending,
  };
}
