#!/usr/bin/env node
// `qwen-studio`: checks the Node.js version first (in syntax any Node.js can read), then runs the built
// command line, out/main/cli.js (`npm run build`). In a checkout with nothing built yet it runs the
// TypeScript sources through tsx, a development dependency, instead.
const NEED_MAJOR = 22;
const major = Number(process.versions.node.split('.')[0]);
if (!(major >= NEED_MAJOR)) {
  process.stderr.write(
    'qwen-studio needs Node.js ' +
      NEED_MAJOR +
      ' or newer; this is Node.js ' +
      process.versions.node +
      '. Install the current LTS from https://nodejs.org/ (or with nvm: nvm install --lts), then try again.\n',
  );
  process.exit(1);
}

const { existsSync } = await import('node:fs');
const { enableCompileCache } = await import('node:module');
// Compiled code is cached on disk, so every start after the first skips parsing the bundle.
enableCompileCache?.();

const built = new URL('../out/main/cli.js', import.meta.url);
let main;
if (existsSync(built)) {
  ({ main } = await import(built.href));
} else {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    process.stderr.write('qwen-studio is not built: run `npm run build` in its folder, then try again.\n');
    process.exit(1);
  }
  ({ main } = await import('../main/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));
