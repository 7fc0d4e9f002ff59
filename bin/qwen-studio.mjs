#!/usr/bin/env node
// Runs the TypeScript CLI straight from the checkout (tsx compiles on the fly, no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
