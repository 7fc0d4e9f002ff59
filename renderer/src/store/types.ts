import type { StateCreator } from 'zustand';
import type { AppSlice } from './app-slice.ts';
import type { CompareSlice } from './compare-slice.ts';
import type { ComposeSlice } from './compose-slice.ts';
import type { LibrarySlice } from './library-slice.ts';
import type { QueueSlice } from './queue-slice.ts';

export type StudioState = AppSlice & ComposeSlice & QueueSlice & LibrarySlice & CompareSlice;

/** One slice of the single store: sees the whole state, owns its own part. */
export type Slice<T> = StateCreator<StudioState, [], [], T>;
