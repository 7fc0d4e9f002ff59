import type { PreloadApi } from '../../shared/contract.ts';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in a plain browser (the bridge is used then). */
    studio?: PreloadApi;
  }
}
