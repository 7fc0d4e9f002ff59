import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWindowState, writeWindowState } from '../../main/app/window-state.ts';
import {
  DEFAULT_STATE,
  MIN_HEIGHT,
  MIN_WIDTH,
  clampToDisplays,
  type DisplayArea,
} from '../../shared/window-geometry.ts';

// A laptop at the origin and a 4K monitor to its right; work areas leave room for a menu bar and a dock.
const laptop: DisplayArea = { workArea: { x: 0, y: 25, width: 1440, height: 875 } };
const monitor: DisplayArea = { workArea: { x: 1440, y: 0, width: 3840, height: 2120 } };
const both = [laptop, monitor];

describe('clampToDisplays', () => {
  it('keeps a window that is fully visible exactly as it was', () => {
    const s = { x: 100, y: 100, width: 1200, height: 700, maximized: false };
    expect(clampToDisplays(s, both)).toEqual(s);
    const onMonitor = { x: 2000, y: 300, width: 1800, height: 1200, maximized: true };
    expect(clampToDisplays(onMonitor, both)).toEqual(onMonitor);
  });

  it('drops the position of a window left on a monitor that is gone, so the OS centres it', () => {
    const s = { x: 2000, y: 300, width: 1800, height: 1200, maximized: false };
    expect(clampToDisplays(s, [laptop])).toEqual({ width: 1440, height: 875, maximized: false });
  });

  it('drops a position whose title bar is off every screen (only a sliver of the window showing)', () => {
    const s = { x: -1150, y: 200, width: 1200, height: 700, maximized: false };
    expect(clampToDisplays(s, [laptop])).toEqual({ width: 1200, height: 700, maximized: false });
    const above = { x: 100, y: -690, width: 1200, height: 700, maximized: false };
    expect(clampToDisplays(above, [laptop])).toEqual({ width: 1200, height: 700, maximized: false });
  });

  it('pulls a partly visible window fully onto the display holding most of its title bar', () => {
    const s = { x: 1000, y: 100, width: 1200, height: 700, maximized: false };
    // 440 px of the title bar on the laptop, 760 px on the monitor: it moves onto the monitor.
    expect(clampToDisplays(s, both)).toEqual({ x: 1440, y: 100, width: 1200, height: 700, maximized: false });
    const low = { x: 100, y: 600, width: 1200, height: 700, maximized: false };
    expect(clampToDisplays(low, [laptop])).toEqual({
      x: 100,
      y: 200,
      width: 1200,
      height: 700,
      maximized: false,
    });
  });

  it('shrinks a window larger than its display, and grows one below the minimum', () => {
    expect(clampToDisplays({ x: 0, y: 25, width: 3000, height: 2000, maximized: false }, [laptop])).toEqual({
      x: 0,
      y: 25,
      width: 1440,
      height: 875,
      maximized: false,
    });
    expect(clampToDisplays({ x: 10, y: 30, width: 200, height: 100, maximized: false }, [laptop])).toEqual({
      x: 10,
      y: 30,
      width: MIN_WIDTH,
      height: MIN_HEIGHT,
      maximized: false,
    });
  });

  it('fits a display smaller than the minimum size', () => {
    const tiny: DisplayArea = { workArea: { x: 0, y: 0, width: 800, height: 480 } };
    expect(clampToDisplays({ width: 1360, height: 880, maximized: false }, [tiny])).toEqual({
      width: 800,
      height: 480,
      maximized: false,
    });
  });

  it('handles displays at negative coordinates (a monitor left of the primary)', () => {
    const left: DisplayArea = { workArea: { x: -1920, y: 0, width: 1920, height: 1050 } };
    const s = { x: -1800, y: 50, width: 1000, height: 800, maximized: false };
    expect(clampToDisplays(s, [laptop, left])).toEqual(s);
  });

  it('sizes a state without a position for the primary display', () => {
    expect(clampToDisplays(DEFAULT_STATE, [laptop])).toEqual({ width: 1360, height: 875, maximized: false });
  });

  it('returns the state unchanged when no display is known', () => {
    expect(clampToDisplays({ x: 5, y: 5, width: 1000, height: 700, maximized: true }, [])).toEqual({
      x: 5,
      y: 5,
      width: 1000,
      height: 700,
      maximized: true,
    });
  });
});

describe('window-state.json', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qs-winstate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips what it writes, leaving no temporary file behind', () => {
    const file = join(dir, 'nested', 'window-state.json');
    const s = { x: -300, y: 40, width: 1280, height: 800, maximized: true };
    writeWindowState(file, s);
    expect(readWindowState(file)).toEqual(s);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(s);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('falls back to the default for a missing, corrupt or foreign file', () => {
    expect(readWindowState(join(dir, 'missing.json'))).toEqual(DEFAULT_STATE);
    const file = join(dir, 'bad.json');
    for (const content of [
      '{"width": 1000, "height": 7',
      '[]',
      'null',
      '{"width": "wide", "height": 700}',
      '{"width": -5, "height": 700}',
      '{"width": 1e9, "height": 700}',
      '{"width": 1000.5, "height": 700}',
      '{"x": 10, "width": 1000}',
    ]) {
      writeFileSync(file, content);
      expect(readWindowState(file), content).toEqual(DEFAULT_STATE);
    }
  });

  it('fills in what older files lack', () => {
    const file = join(dir, 'old.json');
    writeFileSync(file, '{"width": 1000, "height": 700}');
    expect(readWindowState(file)).toEqual({ width: 1000, height: 700, maximized: false });
  });

  it('refuses to write a state that could not be read back', () => {
    expect(() =>
      writeWindowState(join(dir, 'x.json'), { width: Number.NaN, height: 700, maximized: false }),
    ).toThrow();
  });
});
