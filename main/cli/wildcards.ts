// `qwen-studio wildcards list|show|add|remove`: the files a template reads as `__name__`, kept in the
// data folder's wildcards/ (folders are namespaces: `animals/cats`). Offline; nothing is sent.
import { readFile } from 'node:fs/promises';
import { Wildcards } from '../engine/services/batches.ts';
import type { Studio } from '../engine/studio.ts';
import { EXIT, UsageError, oneOf, type CommonFlags, type Io } from './common.ts';
import { withStudio } from './studio.ts';

export const WILDCARD_ACTIONS = ['list', 'show', 'add', 'remove'] as const;
export type WildcardAction = (typeof WILDCARD_ACTIONS)[number];

export function cmdWildcards(
  io: Io,
  action: string,
  name: string | undefined,
  file: string | undefined,
  flags: CommonFlags & { text?: string },
): Promise<number> {
  const act = oneOf('wildcards', action, WILDCARD_ACTIONS);
  return withStudio(io, flags, (studio) =>
    wildcardsCommand(io, studio, act, {
      ...(name !== undefined ? { name } : {}),
      ...(file !== undefined ? { file } : {}),
      ...(flags.text !== undefined ? { text: flags.text } : {}),
      json: Boolean(flags.json),
    }),
  );
}

async function wildcardsCommand(
  io: Io,
  studio: Studio,
  action: WildcardAction,
  args: { name?: string; file?: string; text?: string; json: boolean },
): Promise<number> {
  const w = studio.wildcards;
  const name = (): string => {
    if (!args.name)
      throw new UsageError(`wildcards ${action} needs a name: qwen-studio wildcards ${action} colors`);
    return args.name;
  };
  switch (action) {
    case 'list': {
      const list = w.list();
      if (args.json) io.out(JSON.stringify({ dir: w.dir, wildcards: list }));
      else if (list.length === 0)
        io.out(`No wildcards yet in ${w.dir}. Add one: qwen-studio wildcards add colors colors.txt`);
      else for (const i of list) io.out(`__${i.name}__\t${i.options} option(s)`);
      return EXIT.ok;
    }
    case 'show': {
      const { text } = w.read(name());
      if (args.json) io.out(JSON.stringify({ name: name(), text }));
      else io.out(text.replace(/\n$/, ''));
      return EXIT.ok;
    }
    case 'add': {
      let text = args.text;
      if (text === undefined) {
        if (!args.file) {
          throw new UsageError(
            'wildcards add needs the options: a file (qwen-studio wildcards add colors colors.txt) or --text "red|blue"',
          );
        }
        try {
          text = await readFile(args.file, 'utf8');
        } catch (err) {
          throw new UsageError(`Cannot read ${args.file} (${(err as NodeJS.ErrnoException).code ?? err}).`);
        }
      } else {
        // --text takes the options on one line, separated by |.
        text = text.split('|').join('\n');
      }
      const info = w.write(name(), text);
      if (args.json) io.out(JSON.stringify(info));
      else io.out(`Saved __${info.name}__ (${info.options} option(s)).`);
      return EXIT.ok;
    }
    case 'remove':
      w.remove(name());
      if (!args.json) io.out(`Removed __${Wildcards.checkName(name())}__.`);
      return EXIT.ok;
  }
}
