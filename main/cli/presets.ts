// Presets from a terminal: `qwen-studio presets list|show|save|remove|default|export|import`, and applying
// one to `run` (--preset name; otherwise the default preset, if one is set; --preset none skips it).
import { readFile, writeFile } from 'node:fs/promises';
import type { BatchSpec } from '../../shared/domain.ts';
import type { Preset } from '../../shared/preset.ts';
import { mergeParams } from '../engine/services/batches.ts';
import type { Studio } from '../engine/studio.ts';
import { EXIT, UsageError, intOption, oneOf, type CommonFlags, type Io } from './common.ts';
import { paramsFromFlags, sweepFromFlags, type RunFlags } from './run.ts';
import { withStudio } from './studio.ts';

export const PRESET_ACTIONS = ['list', 'show', 'save', 'remove', 'default', 'export', 'import'] as const;

/** The preset a run starts from: the named one, else the default one; flags given on the command line win. */
export function applyPreset(
  studio: Studio,
  spec: BatchSpec,
  flags: RunFlags,
): { spec: BatchSpec; preset: string | null } {
  if (flags.preset === 'none') return { spec, preset: null };
  const named =
    flags.preset !== undefined ? studio.presets.get(flags.preset) : studio.presets.defaultPreset();
  if (!named) return { spec, preset: null };
  const p = named.preset;
  const out: BatchSpec = { ...spec, params: mergeParams(p.params, spec.params ?? {}) };
  if (p.model && spec.model === undefined) out.model = p.model;
  if (p.seed && flags.seed === undefined) out.seed = p.seed;
  if (p.repeat && flags.repeat === undefined) out.repeat = p.repeat;
  if (p.sweep?.length && !flags.sweep?.length) out.sweep = p.sweep;
  if (p.maxCredits && flags.maxCredits === undefined) out.maxCredits = p.maxCredits;
  return { spec: out, preset: named.name };
}

/** A preset from run-style flags (the parameters, --seed, --repeat, --sweep, --max-credits). */
function presetFromFlags(flags: RunFlags): Preset {
  const preset: Preset = { params: paramsFromFlags(flags) };
  if (flags.seed !== undefined)
    preset.seed = { mode: 'fixed', value: intOption('--seed', flags.seed, 0, 2147483647) };
  if (flags.repeat !== undefined) preset.repeat = intOption('--repeat', flags.repeat, 1, 100);
  const sweep = sweepFromFlags(flags);
  if (sweep) preset.sweep = sweep;
  if (flags.maxCredits !== undefined)
    preset.maxCredits = intOption('--max-credits', flags.maxCredits, 1, Number.MAX_SAFE_INTEGER);
  return preset;
}

export function cmdPresets(
  io: Io,
  action: string,
  name: string | undefined,
  flags: CommonFlags & RunFlags & { default?: boolean },
): Promise<number> {
  const act = oneOf('presets', action, PRESET_ACTIONS);
  const need = (what: string): string => {
    if (!name) throw new UsageError(`presets ${act} needs ${what}.`);
    return name;
  };
  return withStudio(io, flags, async (studio) => {
    const store = studio.presets;
    switch (act) {
      case 'list': {
        const list = store.list();
        if (flags.json) io.out(JSON.stringify(list));
        else if (list.length === 0)
          io.out('No presets yet: qwen-studio presets save <name> --aspect-ratio 16:9 …');
        else
          for (const p of list)
            io.out(`${p.name}${p.isDefault ? ' (default)' : ''}\t${JSON.stringify(p.preset)}`);
        return EXIT.ok;
      }
      case 'show':
        io.out(JSON.stringify(store.get(need('a name')).preset, null, flags.json ? 0 : 2));
        return EXIT.ok;
      case 'save': {
        const saved = store.save(need('a name'), presetFromFlags(flags), Boolean(flags.default));
        io.out(`Saved preset "${saved.name}"${saved.isDefault ? ' (the default)' : ''}.`);
        return EXIT.ok;
      }
      case 'remove':
        store.remove(need('a name'));
        io.out(`Removed preset "${name}".`);
        return EXIT.ok;
      case 'default':
        store.setDefault(need('a name, or none') === 'none' ? null : (name as string));
        io.out(name === 'none' ? 'No default preset.' : `"${name}" is the default preset.`);
        return EXIT.ok;
      case 'export': {
        const text = `${JSON.stringify(store.exportFile(), null, 2)}\n`;
        if (name) {
          await writeFile(name, text);
          io.err(`Wrote ${store.list().length} preset(s) to ${name}.`);
        } else io.out(text.trimEnd());
        return EXIT.ok;
      }
      case 'import': {
        const file = need('a file');
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (err) {
          throw new UsageError(`Cannot read presets from ${file}: ${(err as Error).message}`);
        }
        io.out(`Imported ${store.importText(text)} preset(s) from ${file}.`);
        return EXIT.ok;
      }
    }
  });
}
