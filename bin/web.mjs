#!/usr/bin/env node
// `npm run web`: the UI in a browser over the loopback bridge (tsx compiles the engine on the fly).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/bridge/cli.ts');
process.exitCode = await main(process.argv.slice(2));
