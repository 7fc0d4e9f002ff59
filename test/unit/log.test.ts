import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, nullLogger } from '../../main/engine/log.ts';
import { redact } from '../../main/engine/redact.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'qs-log-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const KEY = 'sk-live-9f8e7d6c5b4a';

function lines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('createLogger', () => {
  it('appends one JSON object per line with time, level, message and fields', () => {
    const log = createLogger({ dir, level: 'debug' });
    log.info('job started', { jobId: 7, batch: '猫' });
    log.child({ jobId: 8 }).child({ attempt: 2 }).warn('retrying', { status: 503 });
    log.debug('details');
    log.close();

    const got = lines(path.join(dir, 'studio.log'));
    expect(got).toHaveLength(3);
    expect(got[0]).toMatchObject({ level: 'info', msg: 'job started', jobId: 7, batch: '猫' });
    expect(Date.parse(got[0]!.t as string)).not.toBeNaN();
    expect(got[1]).toMatchObject({ level: 'warn', msg: 'retrying', jobId: 8, attempt: 2, status: 503 });
    expect(got[2]).toMatchObject({ level: 'debug', msg: 'details' });
    expect(Object.keys(got[0]!).slice(0, 3)).toEqual(['t', 'level', 'msg']);
  });

  it('skips lines below its level and keeps its own keys from being overwritten by fields', () => {
    const log = createLogger({ dir, name: 'cli', level: 'warn' });
    log.info('hidden');
    log.debug('hidden');
    log.error('shown', { msg: 'a field called msg', level: 'x' });
    log.close();
    const got = lines(path.join(dir, 'cli.log'));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ level: 'error', msg: 'shown', _msg: 'a field called msg', _level: 'x' });
  });

  it('serializes errors with message, code, stack and cause, and survives cycles and BigInt', () => {
    const log = createLogger({ dir });
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const err = Object.assign(new Error('download failed', { cause }), { kind: 'transient', status: 503 });
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    log.error('failed', { err, loop, big: 10n ** 20n, when: new Date(0), skip: undefined });
    log.close();
    const [line] = lines(path.join(dir, 'studio.log'));
    expect(line!.err).toMatchObject({
      name: 'Error',
      message: 'download failed',
      kind: 'transient',
      status: 503,
      cause: { message: 'socket hang up', code: 'ECONNRESET' },
    });
    expect((line!.err as { stack: string }).stack).toContain('download failed');
    expect(line!.loop).toEqual({ name: 'loop', self: '[circular]' });
    expect(line!.big).toBe('100000000000000000000');
    expect(line!.when).toBe('1970-01-01T00:00:00.000Z');
    expect('skip' in line!).toBe(false);
  });

  it('rotates before a file would pass maxBytes and keeps maxFiles files, newest first', () => {
    const log = createLogger({ dir, maxBytes: 1000, maxFiles: 3 });
    for (let i = 0; i < 100; i++) log.info(`line ${i}`, { pad: 'x'.repeat(40) });
    log.close();

    expect(readdirSync(dir).sort()).toEqual(['studio.1.log', 'studio.2.log', 'studio.log']);
    for (const f of readdirSync(dir)) expect(statSync(path.join(dir, f)).size).toBeLessThanOrEqual(1000);
    // Oldest file first, the three together are the unbroken tail of what was logged.
    const kept = ['studio.2.log', 'studio.1.log', 'studio.log'].flatMap((f) => lines(path.join(dir, f)));
    const numbers = kept.map((l) => Number(String(l.msg).slice(5)));
    expect(numbers.at(-1)).toBe(99);
    expect(numbers).toEqual(numbers.map((_, i) => 100 - numbers.length + i));
    expect(numbers.length).toBeGreaterThan(10);
  });

  it('with maxFiles 1 starts the file over instead of keeping old ones', () => {
    const log = createLogger({ dir, maxBytes: 300, maxFiles: 1 });
    for (let i = 0; i < 20; i++) log.info(`line ${i}`, { pad: 'y'.repeat(40) });
    log.close();
    expect(readdirSync(dir)).toEqual(['studio.log']);
    expect(lines(path.join(dir, 'studio.log')).at(-1)!.msg).toBe('line 19');
  });

  it('keeps the API key, Bearer tokens and Authorization values out of the file and the echo', () => {
    let key = KEY;
    const echoed: string[] = [];
    const log = createLogger({ dir, secrets: () => [key], echo: (l) => echoed.push(l) });
    log.info(`calling with key ${KEY}`);
    log.warn('request failed', {
      headers: { Authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      err: new Error(`401 for key ${KEY}`),
      raw: 'curl -H "Authorization: Bearer abc.def-ghi" https://x',
      basic: 'authorization: Basic dXNlcjpwYXNz',
    });
    key = 'sk-rotated-000111222';
    log.info('new key sk-rotated-000111222 in use');
    log.close();

    const text = readFileSync(path.join(dir, 'studio.log'), 'utf8');
    for (const leaked of [KEY, 'sk-rotated-000111222', 'abc.def-ghi', 'dXNlcjpwYXNz']) {
      expect(text).not.toContain(leaked);
      expect(echoed.join('\n')).not.toContain(leaked);
    }
    expect(echoed).toEqual(text.split('\n').filter(Boolean));
    const got = lines(path.join(dir, 'studio.log'));
    expect(got[0]!.msg).toBe('calling with key [redacted]');
    expect(got[1]).toMatchObject({
      headers: { Authorization: '[redacted]', 'content-type': 'application/json' },
    });
    expect(got[2]!.msg).toBe('new key [redacted] in use');
  });

  it('never throws when its folder cannot be created, and counts what it dropped', () => {
    const file = path.join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const echoed: string[] = [];
    const log = createLogger({ dir: path.join(file, 'logs'), echo: (l) => echoed.push(l) });
    expect(() => {
      log.info('one');
      log.child({ a: 1 }).error('two');
      log.flush();
      log.close();
      log.warn('after close');
    }).not.toThrow();
    expect(log.droppedLines()).toBe(3);
    expect(echoed).toHaveLength(2); // the echo still shows what could not be stored
  });

  it.skipIf(!existsSync('/dev/full'))('never throws on a full disk', () => {
    symlinkSync('/dev/full', path.join(dir, 'studio.log'));
    const log = createLogger({ dir });
    expect(() => {
      for (let i = 0; i < 5; i++) log.info('lost', { i });
    }).not.toThrow();
    expect(log.droppedLines()).toBe(5);
    log.close();
  });

  it('drops a line rather than write it when the secrets cannot be read', () => {
    const log = createLogger({
      dir,
      secrets: () => {
        throw new Error('keychain locked');
      },
    });
    expect(() => log.info(`maybe ${KEY}`)).not.toThrow();
    log.close();
    expect(log.droppedLines()).toBe(1);
    expect(existsSync(path.join(dir, 'studio.log'))).toBe(false);
  });

  it('cuts a huge line down to its message', () => {
    const log = createLogger({ dir, secrets: () => [KEY] });
    log.info(`big ${KEY}`, { blob: 'z'.repeat(200_000) });
    log.close();
    const [line] = lines(path.join(dir, 'studio.log'));
    expect(line!.msg).toBe('big [redacted]');
    expect(line!.blob).toBeUndefined();
    expect(String(line!.note)).toContain('fields dropped');
  });
});

describe('redact', () => {
  it('replaces every secret of 6 characters or more, raw or JSON-escaped', () => {
    expect(redact(`a ${KEY} b ${KEY}`, [KEY])).toBe('a [redacted] b [redacted]');
    expect(redact('short abc stays', ['abc'])).toBe('short abc stays');
    const quoted = 'k"ey\\123';
    expect(redact(JSON.stringify({ v: `x${quoted}y` }), [quoted])).toBe('{"v":"x[redacted]y"}');
  });

  it('hides Bearer tokens and Authorization values in JSON and in text', () => {
    expect(redact('Bearer eyJhbGciOi.abc_def-123==', [])).toBe('Bearer [redacted]');
    expect(redact('{"authorization":"Token 123456"}', [])).toBe('{"authorization":"[redacted]"}');
    expect(redact('{"s":"{\\"Authorization\\":\\"Basic Zm9v\\"}"}', [])).toBe(
      '{"s":"{\\"Authorization\\":\\"[redacted]\\"}"}',
    );
    expect(redact('Proxy-Authorization: Basic Zm9vOmJhcg, next', [])).toBe(
      'Proxy-Authorization: [redacted], next',
    );
    expect(redact('Authorization failed for this request', [])).toBe('Authorization failed for this request');
  });
});

describe('nullLogger', () => {
  it('accepts everything and writes nothing', () => {
    const log = nullLogger();
    log.child({ a: 1 }).error('x', { err: new Error('y') });
    log.flush();
    log.close();
    expect(log.droppedLines()).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });
});
