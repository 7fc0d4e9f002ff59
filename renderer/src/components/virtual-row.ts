import type { CSSProperties } from 'react';

/** The style of one full-width row of a virtualized list, placed at its offset. */
export function virtualRowStyle(start: number, height: number): CSSProperties {
  return { position: 'absolute', top: 0, left: 0, right: 0, height, transform: `translateY(${start}px)` };
}
