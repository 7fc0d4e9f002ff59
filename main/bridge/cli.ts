// `npm run web`: the whole UI in a browser, against a real engine on this machine (development and tests).
import path from 'node:path';
import { parseArgs } from 'node:util';
import pkg from '../../package.json' with { type: 'json' };
import { apiKeyFromEnv, intOption, urlOption } from '../cli/common.ts';
import { defaultDataDir } from '../engine/studio.ts';
import { startBridge } from './server.ts';

const USAGE = `npm run web -- [--port <n>] [--data-dir <dir>] [--api-base <url> [--allow-insecure-api-base]]
  [--renderer <dir>]

Serves the Qwen Studio UI on http://127.0.0.1 only, with a per-run access token in the printed link.
The API key comes from QWEN_STUDIO_API_KEY (or SKILLS_VIDEO_API_KEY); without one, the UI offers the
local simulator. \`npm run web\` builds the UI first.`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'api-base': { type: 'string' },
        'allow-insecure-api-base': { type: 'boolean' },
        renderer: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const base = values['api-base'] ?? process.env.QWEN_STUDIO_API_BASE;
    const insecure = values['allow-insecure-api-base'] === true;
    const bridge = await startBridge({
      port: values.port ? intOption('--port', values.port, 0, 65535) : 0,
      dataDir: values['data-dir'] ?? defaultDataDir(),
      apiBase: base === undefined ? null : urlOption('--api-base', base, insecure),
      apiKey: apiKeyFromEnv(process.env),
      // Resolved here, in the entry: this file is out/main/web.js once built, two levels below the
      // checkout as the source is, while the bridge's own modules may land in a chunk folder.
      rendererDir: values.renderer ?? path.resolve(import.meta.dirname, '../../out/renderer'),
      startSimulator: true,
      version: pkg.version,
    });
    process.stdout.write(`Qwen Studio (web bridge) — open ${bridge.url}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    process.stdout.write('Stopping: the queue stays resumable.\n');
    await bridge.close();
    return 0;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
}
