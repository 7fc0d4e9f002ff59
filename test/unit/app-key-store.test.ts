import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KEY_ENV_VAR,
  KEY_FILE_NAME,
  decodeKeyFile,
  encodeKeyFile,
  openKeyStore,
  readKeyFile,
  type KeyCipher,
} from '../../main/app/key-store.ts';

const KEY = 'sk-test-0123456789abcdef';
const posix = process.platform !== 'win32';

/** A stand-in for safeStorage: XOR with a per-"keyring" byte, so a different keyring cannot decrypt. */
function fakeCipher(
  opts: { available?: boolean; backend?: string | null; keyring?: number; reEncrypt?: boolean } = {},
) {
  const ring = opts.keyring ?? 0x5a;
  const calls = { encrypt: 0, decrypt: 0 };
  const cipher: KeyCipher = {
    isAvailable: async () => opts.available ?? true,
    encrypt: async (plain) => {
      calls.encrypt++;
      return Buffer.concat([Buffer.from([ring]), Buffer.from(plain, 'utf8').map((b) => b ^ ring)]);
    },
    decrypt: async (data) => {
      calls.decrypt++;
      if (data[0] !== ring)
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return {
        result: Buffer.from(data.subarray(1).map((b) => b ^ ring)).toString('utf8'),
        shouldReEncrypt: !!opts.reEncrypt,
      };
    },
    backend: () => opts.backend ?? null,
  };
  return { cipher, calls };
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qs-key-'));
  file = join(dir, 'userData', KEY_FILE_NAME);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('key file format', () => {
  it('tags the ciphertext and recognises only its own files', () => {
    const ct = Buffer.from([1, 2, 3, 4]);
    const encoded = encodeKeyFile(ct);
    expect(decodeKeyFile(encoded)?.equals(ct)).toBe(true);
    expect(decodeKeyFile(Buffer.from('QSK1'))).toBeNull();
    expect(decodeKeyFile(Buffer.from('{"apiKey":"sk-plain"}'))).toBeNull();
    expect(decodeKeyFile(Buffer.alloc(0))).toBeNull();
    expect(decodeKeyFile(Buffer.concat([Buffer.from('QSK1'), Buffer.alloc(70_000)]))).toBeNull();
  });
});

describe('openKeyStore', () => {
  it('saves the key encrypted, 0600, and reads it back in the next run', async () => {
    const { cipher } = fakeCipher({ backend: 'gnome_libsecret' });
    const first = await openKeyStore({ file, cipher, env: {}, platform: 'linux' });
    expect(first.get()).toBeNull();
    expect(first.kind()).toBe('none');
    first.set(`  ${KEY}\n`);
    expect(first.get()).toBe(KEY);
    expect(first.kind()).toBe('os');
    await first.flush();

    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 4).toString()).toBe('QSK1');
    expect(bytes.includes(Buffer.from(KEY))).toBe(false);
    if (posix) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'userData'))).toEqual([KEY_FILE_NAME]);

    const second = await openKeyStore({ file, cipher, env: {}, platform: 'linux' });
    expect(second.get()).toBe(KEY);
    expect(second.kind()).toBe('os');
  });

  it('decrypts once at open; get() does not touch the cipher again', async () => {
    const { cipher, calls } = fakeCipher();
    const a = await openKeyStore({ file, cipher, env: {} });
    a.set(KEY);
    await a.flush();
    const b = await openKeyStore({ file, cipher, env: {} });
    for (let i = 0; i < 100; i++) b.get();
    expect(calls.decrypt).toBe(1);
  });

  it('narrows a key file that others can read back to 0600', async () => {
    if (!posix) return;
    const { cipher } = fakeCipher();
    const a = await openKeyStore({ file, cipher, env: {} });
    a.set(KEY);
    await a.flush();
    chmodSync(file, 0o644);
    expect(readKeyFile(file)).not.toBeNull();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('clear() forgets the key and deletes the file', async () => {
    const { cipher } = fakeCipher();
    const a = await openKeyStore({ file, cipher, env: {} });
    a.set(KEY);
    a.clear();
    expect(a.get()).toBeNull();
    await a.flush();
    expect(existsSync(file)).toBe(false);
    const b = await openKeyStore({ file, cipher, env: {} });
    expect(b.get()).toBeNull();
  });

  it('writes in the order of the calls: the last key set is the one saved', async () => {
    const { cipher } = fakeCipher();
    const a = await openKeyStore({ file, cipher, env: {} });
    a.set('sk-first-aaaaaaaa');
    a.clear();
    a.set('sk-third-cccccccc');
    await a.flush();
    expect((await openKeyStore({ file, cipher, env: {} })).get()).toBe('sk-third-cccccccc');
  });

  it('reports a key that cannot be decrypted (another keyring) and starts without one', async () => {
    const a = await openKeyStore({ file, cipher: fakeCipher({ keyring: 1 }).cipher, env: {} });
    a.set(KEY);
    await a.flush();
    const warnings: string[] = [];
    const b = await openKeyStore({
      file,
      cipher: fakeCipher({ keyring: 2 }).cipher,
      env: {},
      warn: (m, f) => warnings.push(`${m} ${JSON.stringify(f)}`),
    });
    expect(b.get()).toBeNull();
    expect(b.kind()).toBe('none');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/entered again/);
    expect(warnings.join()).not.toContain(KEY);
  });

  it('ignores a file that is not one of ours', async () => {
    const { cipher, calls } = fakeCipher();
    mkdirSync(join(dir, 'userData'));
    writeFileSync(file, 'sk-plain-text-key-someone-pasted');
    const s = await openKeyStore({ file, cipher, env: {} });
    expect(s.get()).toBeNull();
    expect(calls.decrypt).toBe(0);
  });

  it('re-encrypts when the OS says the encryption key has rotated', async () => {
    const plain = fakeCipher();
    const a = await openKeyStore({ file, cipher: plain.cipher, env: {} });
    a.set(KEY);
    await a.flush();
    const rotating = fakeCipher({ reEncrypt: true });
    const b = await openKeyStore({ file, cipher: rotating.cipher, env: {} });
    await b.flush();
    expect(b.get()).toBe(KEY);
    expect(rotating.calls.encrypt).toBe(1);
    expect((await openKeyStore({ file, cipher: plain.cipher, env: {} })).get()).toBe(KEY);
  });

  it("calls Linux's basic_text backend weak (a fixed password), but still saves", async () => {
    const { cipher } = fakeCipher({ backend: 'basic_text' });
    const a = await openKeyStore({ file, cipher, env: {}, platform: 'linux' });
    a.set(KEY);
    expect(a.kind()).toBe('weak');
    await a.flush();
    expect(existsSync(file)).toBe(true);
    // The backend name only means something on Linux.
    const mac = await openKeyStore({ file, cipher, env: {}, platform: 'darwin' });
    expect(mac.kind()).toBe('os');
  });

  it('keeps the key for this session only when the OS has no secret storage', async () => {
    const warnings: string[] = [];
    const { cipher, calls } = fakeCipher({ available: false });
    const a = await openKeyStore({ file, cipher, env: {}, warn: (m) => warnings.push(m) });
    a.set(KEY);
    await a.flush();
    expect(a.get()).toBe(KEY);
    expect(a.kind()).toBe('weak');
    expect(existsSync(file)).toBe(false);
    expect(calls.encrypt).toBe(0);
    expect(warnings.join()).toMatch(/this session only/);
  });

  it('lets the environment variable override the saved key', async () => {
    const { cipher } = fakeCipher();
    const a = await openKeyStore({ file, cipher, env: {} });
    a.set(KEY);
    await a.flush();
    const b = await openKeyStore({ file, cipher, env: { [KEY_ENV_VAR]: ' sk-from-env-99999999 ' } });
    expect(b.get()).toBe('sk-from-env-99999999');
    expect(b.kind()).toBe('env');
    const blank = await openKeyStore({ file, cipher, env: { [KEY_ENV_VAR]: '   ' } });
    expect(blank.get()).toBe(KEY);
  });

  it('reads SKILLS_VIDEO_API_KEY as the command line does, QWEN_STUDIO_API_KEY first', async () => {
    const { cipher } = fakeCipher();
    const other = await openKeyStore({ file, cipher, env: { SKILLS_VIDEO_API_KEY: ' sk-skills-77777777 ' } });
    expect(other.get()).toBe('sk-skills-77777777');
    expect(other.kind()).toBe('env');
    const both = await openKeyStore({
      file,
      cipher,
      env: { [KEY_ENV_VAR]: 'sk-ours-88888888', SKILLS_VIDEO_API_KEY: 'sk-skills-77777777' },
    });
    expect(both.get()).toBe('sk-ours-88888888');
  });

  it('lets a key pasted in the app replace the environment one, and says it is stored', async () => {
    const { cipher } = fakeCipher();
    const store = await openKeyStore({ file, cipher, env: { [KEY_ENV_VAR]: 'sk-from-env-99999999' } });
    store.set(KEY);
    await store.flush();
    expect(store.get()).toBe(KEY);
    expect(store.kind()).toBe('os');
  });

  it('refuses an empty key', async () => {
    const a = await openKeyStore({ file, cipher: fakeCipher().cipher, env: {} });
    expect(() => a.set('   ')).toThrow(/empty/);
  });

  it('reports a failed save without the key in the report', async () => {
    const warnings: string[] = [];
    // A folder where the file should be: the rename fails.
    mkdirSync(join(file, 'blocker'), { recursive: true });
    const a = await openKeyStore({
      file,
      cipher: fakeCipher().cipher,
      env: {},
      warn: (m, f) => warnings.push(`${m} ${JSON.stringify(f)}`),
    });
    a.set(KEY);
    await a.flush();
    expect(a.get()).toBe(KEY);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not update the saved API key/);
    expect(warnings[0]).not.toContain(KEY);
  });
});
