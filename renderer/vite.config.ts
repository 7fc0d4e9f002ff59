// Build of the renderer alone (the browser bridge and the e2e tests serve it): `npx vite build renderer`.
// electron-vite builds the same sources for the app; both write out/renderer with relative asset URLs.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    target: 'es2023',
    chunkSizeWarningLimit: 1024,
  },
});
