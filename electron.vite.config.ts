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
      // Every package.json dependency stays a runtime `import` (better-sqlite3 and sharp are native; undici,
      // zod… are simply not worth bundling). electron-vite 6 does this by default; stated for the reader.
      externalizeDeps: true,
      rolldownOptions: {
        // Named `index` so the bundle is out/main/index.js, package.json's "main".
        input: { index: resolve(root, 'main/app/main.ts') },
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
