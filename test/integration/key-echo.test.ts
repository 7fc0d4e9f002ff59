// A service (here a gateway in front of the simulator) that echoes the caller's API key in everything it
// says: nothing the engine stores, logs or embeds in an image may contain it.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAILED_MESSAGE } from '../../main/simulator/api-view.ts';
import { rig, spec, type Rig } from '../helpers/engine.ts';
import { internalsOf } from '../../main/engine/internals.ts';

let r: Rig | null = null;
let proxy: Server | null = null;
afterEach(async () => {
  if (proxy) {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy!.close(resolve));
    proxy = null;
  }
  await r?.close();
  r = null;
});

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * A gateway in front of the simulator that echoes the caller's key in everything the service writes: the
 * actual prompt, the failure message, and (on creates) a made-up field. Images pass through untouched.
 */
async function echoingGateway(simUrl: string): Promise<string> {
  const target = new URL(simUrl);
  proxy = createServer((req, res) => {
    const key = /^Bearer\s+(.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const type = String(answer.headers['content-type'] ?? '');
        const echo = (text: string) =>
          text
            .replaceAll('expanded by simulator', `expanded for ${key}`)
            .replaceAll(FAILED_MESSAGE, `${FAILED_MESSAGE} (key ${key})`)
            .replaceAll('"status":', `"note":"for ${key}","status":`);
        const headers = { ...answer.headers };
        if (!/json|event-stream/.test(type)) {
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(res);
          return;
        }
        delete headers['content-length'];
        res.writeHead(answer.statusCode ?? 502, headers);
        // The simulator writes each SSE frame in one piece; JSON bodies are read whole.
        if (type.includes('event-stream')) {
          answer.on('data', (chunk: Buffer) => res.write(echo(chunk.toString('utf8'))));
          answer.on('end', () => res.end());
          answer.on('error', () => res.destroy());
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => res.end(echo(Buffer.concat(chunks).toString('utf8'))));
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api`;
}

describe('a service that echoes the API key', () => {
  it('nothing stored — database, log, image files — contains the key', async () => {
    const KEY = 'sk-echoed-SECRET-4242424242';
    r = await rig(
      { seed: 3, faults: { latencyMs: 150, jitterMs: 50, failPattern: 'doomed' } },
      { apiKey: KEY },
    );
    const base = await echoingGateway(r.sim.url);
    await r.reopen({ apiBase: base, apiKey: KEY });
    const { studio, sim } = r;
    studio.start();
    studio.batches.create(spec(['a quiet street', 'a doomed ship', 'a bright kite']));
    await studio.whenSettled();

    const jobs = internalsOf(studio).stores.jobs.list({ limit: 10 }).rows;
    expect(jobs.map((j) => j.state).sort()).toEqual(['done', 'done', 'failed']);
    // The service's texts arrived (so the key really was echoed) and were kept without it.
    const street = jobs.find((j) => j.prompt === 'a quiet street')!;
    expect(street.actualPrompt).toBe('a quiet street — expanded for [redacted]');
    expect(jobs.find((j) => j.prompt === 'a doomed ship')!.errorMessage).toBe(
      `${FAILED_MESSAGE} (key [redacted])`,
    );
    expect(sim.ledger.generations).toHaveLength(3);
    await studio.close();

    const leaks = filesUnder(r.dataDir).filter((file) => readFileSync(file).includes(KEY));
    expect(leaks).toEqual([]);
    expect(filesUnder(join(r.dataDir, 'library')).length).toBeGreaterThanOrEqual(2);
  });
});
