#!/usr/bin/env node
// `npm run web`: the UI in a browser over the loopback bridge, from the build (out/main/web.js).
const built = new URL('../out/main/web.js', import.meta.url);
const { existsSync } = await import('node:fs');
if (!existsSync(built)) {
  process.stderr.write('The web bridge is not built: run `npm run build`, then try again.\n');
  process.exit(1);
}
const { main } = await import(built.href);
process.exitCode = await main(process.argv.slice(2));
