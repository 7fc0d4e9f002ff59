// Three builds: the main process (ESM, the engine's native and Node dependencies left external so they load
// from node_modules), the preload (one self-contained CommonJS file: a sandboxed preload can require only
// `electron`, and cannot be an ES module), and the React renderer.
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      // package.json `dependencies` stay runtime imports: the native modules (better-sqlite3, sharp), which
      // cannot be bundled, and undici, which engine/files/lazy-modules.ts loads only when a request is made.
      // Everything else (zod, commander…) is a devDependency and bundled, which is what makes the command line
      // start fast (one file to read instead of hundreds).
      externalizeDeps: true,
      rolldownOptions: {
        // `index` is the app (out/main/index.js, package.json's "main"); `cli` is the `qwen-studio` command
        // and `web` the browser bridge, both loaded by the small shims in bin/. The three share chunks, and
        // what a command imports on demand stays a chunk of its own, loaded only when that command runs.
        input: {
          index: resolve(root, 'main/app/main.ts'),
          cli: resolve(root, 'main/cli.ts'),
          web: resolve(root, 'main/bridge/cli.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Bundle everything the preload touches: nothing but `electron` can be required in the sandbox.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'main/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: {
        input: { index: resolve(root, 'renderer/index.html') },
      },
    },
    plugins: [react()],
  },
});
