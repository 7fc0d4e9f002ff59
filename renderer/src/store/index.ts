// The one store of the page: five slices, read through selectors (with useShallow for objects).
import { create } from 'zustand';
import { createAppSlice } from './app-slice.ts';
import { createCompareSlice } from './compare-slice.ts';
import { createComposeSlice } from './compose-slice.ts';
import { createLibrarySlice } from './library-slice.ts';
import { createQueueSlice } from './queue-slice.ts';
import type { StudioState } from './types.ts';

export type { StudioState } from './types.ts';

export const useStudio = create<StudioState>()((...a) => ({
  ...createAppSlice(...a),
  ...createComposeSlice(...a),
  ...createQueueSlice(...a),
  ...createLibrarySlice(...a),
  ...createCompareSlice(...a),
}));
