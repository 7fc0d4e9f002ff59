#!/usr/bin/env node
// `npm run bench -- <name> [options]`: benchmarks print one JSON line each (see test/bench/).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../test/bench/main.ts');
process.exitCode = await main(process.argv.slice(2));
