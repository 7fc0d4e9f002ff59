import { describe, expect, it } from 'vitest';
import { PresetError, PresetStore } from '../../main/engine/store/presets.ts';
import { memoryStores } from '../helpers/db.ts';
import { thrown } from '../helpers/throws.ts';

const store = () => new PresetStore(memoryStores().db);

describe('presets', () => {
  it('saves, replaces, lists by name and keeps exactly one default', () => {
    const s = store();
    s.save('Wide', { params: { aspect_ratio: '16:9', num_images: 2 } }, true);
    s.save('square', { params: { aspect_ratio: '1:1' }, repeat: 3 }, true);
    s.save('wide', { params: { aspect_ratio: '16:9', num_images: 4 } });
    expect(s.list().map((p) => [p.name, p.isDefault, p.preset.params.num_images])).toEqual([
      ['square', true, undefined],
      ['Wide', false, 4],
    ]);
    expect(s.defaultPreset()?.name).toBe('square');
    s.setDefault(null);
    expect(s.defaultPreset()).toBeNull();
    expect(thrown(PresetError, () => s.get('tall')).message).toBe(
      'There is no preset "tall" (presets: square, Wide).',
    );
  });

  it('refuses an invalid preset with the schema’s message', () => {
    expect(() => store().save('bad', { params: { num_images: 9 } })).toThrow(/num_images|4/);
  });

  it('exports and imports as JSON, and names what is wrong with a bad file', () => {
    const a = store();
    a.save('sweep', { params: {}, sweep: [{ param: 'seed', values: [1, 2, 3] }] }, true);
    const file = JSON.parse(JSON.stringify(a.exportFile())) as unknown;
    const b = store();
    expect(b.importFile(file)).toBe(1);
    expect(b.get('sweep')).toMatchObject({
      isDefault: true,
      preset: { sweep: [{ param: 'seed', values: [1, 2, 3] }] },
    });
    expect(thrown(PresetError, () => b.importFile({ presets: [] })).message).toMatch(
      /^Not a presets file: format: .* — export one with qwen-studio presets export$/,
    );
  });
});
