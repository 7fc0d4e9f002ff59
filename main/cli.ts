// `qwen-studio`: the studio's engine from a terminal. Same data folder, same queue as the desktop app.
// This file only describes the commands (commander parses, validates the shape of the arguments, writes the
// help and the "did you mean" hints); each command's body, and the engine with it, is imported when that
// command runs, so `--help` and `--version` load no engine at all.
import { Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { ASPECT_RATIOS, IMAGE_SIZES, OUTPUT_FORMATS } from '../shared/api-values.ts';
import {
  DEFAULT_OFFLINE_TIMEOUT_S,
  EXIT,
  UsageError,
  checkCommonFlags,
  dataDirArgument,
  processIo,
  terminalSafe,
  takeDebugFlag,
  type Io,
} from './cli/common.ts';

const DESCRIPTION = `qwen-studio ${pkg.version} — batch generations with Qwen Image 2.0 (skills.video).
The same data folder and queue as the desktop app.`;

const GENERAL_HELP = `
The API key comes from QWEN_STUDIO_API_KEY (or SKILLS_VIDEO_API_KEY) and is never printed.

Query syntax (search, export, tag, delete): words, "phrases", -exclude, tag:x, batch:x, collection:x,
ar:16:9, format:png, fav, rejected, rating>=4, before:2026-01-31, after:7d, seed:n, model:x,
source:imported (an empty query matches all).

--debug (any command) prints the stack of an unexpected failure; logs/studio.log always has it.

Exit codes: 0 all done, 1 some jobs failed, 2 bad usage or input, 3 queue paused by a key or credit
problem, 4 the service could not be reached within --offline-timeout, 130 interrupted (the work stays
resumable).`;

/** Options every command takes: where the data is and which service to talk to. */
function withCommon(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'data folder (or QWEN_STUDIO_DATA_DIR; default the app’s data folder)')
    .option(
      '--api-base <url>',
      'service address (or QWEN_STUDIO_API_BASE; default https://open.skills.video/api); https, or http on this machine',
    )
    .option(
      '--allow-insecure-api-base',
      'allow a plain http service address on another machine (the key is sent unencrypted)',
    )
    .option('--json', 'machine-readable output (one JSON value or event per line)');
}

/** Options of the commands that run the queue. */
function withQueueOptions(cmd: Command): Command {
  return cmd
    .option('--concurrency <n>', 'requests in flight at most, for this run only (1-32)')
    .option(
      '--offline-timeout <seconds>',
      `give up (exit 4) when the service stays unreachable this long; 0 waits forever`,
      String(DEFAULT_OFFLINE_TIMEOUT_S),
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The size and format options `run`, `presets save` and `job edit` share (`prefix` tells which action). */
function withParamOptions(cmd: Command, prefix = ''): Command {
  return cmd
    .addOption(new Option('--aspect-ratio <ratio>', `${prefix}aspect ratio`).choices(ASPECT_RATIOS))
    .addOption(
      new Option('--image-size <preset>', `${prefix}preset size (instead of --aspect-ratio)`).choices(
        IMAGE_SIZES,
      ),
    )
    .option('--num-images <n>', `${prefix}images per generation (1-4)`)
    .addOption(new Option('--output-format <format>', `${prefix}image format`).choices(OUTPUT_FORMATS));
}

function buildProgram(io: Io, result: { code: number }): Command {
  const program = new Command('qwen-studio')
    .description(DESCRIPTION)
    .version(pkg.version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help (for one command: qwen-studio <command> --help)')
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, '')),
      writeErr: (text) => io.err(text.replace(/\n$/, '')),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .showHelpAfterError('(qwen-studio --help lists the commands; qwen-studio <command> --help their options)')
    .addHelpText('after', GENERAL_HELP);
  program.hook('preAction', (_program, action) => checkCommonFlags(action.opts(), io.env));

  withParamOptions(
    withQueueOptions(
      withCommon(
        program
          .command('run')
          .description('enqueue a batch from a prompt file and run it to the end')
          .argument('<file>', 'prompts: .txt (one per line), .csv (a prompt column) or .jsonl'),
      ),
    ),
  )
    .option('--seed <n>', 'the same seed for every job (otherwise each gets its own, recorded)')
    .option('--repeat <n>', 'generations per prompt (1-100)')
    .option('--negative <text>', 'negative prompt (at most 500 characters)')
    .option('--no-expansion', 'turn the service’s prompt expansion off')
    .option(
      '--safety-checker',
      'turn the service’s safety checker on (default: on for qwen-image-2-pro only)',
    )
    .option('--no-safety-checker', 'turn the service’s safety checker off')
    .option('--ref <path|url>', 'reference image (repeatable, at most 4)', collect, [])
    .option('--max-credits <n>', 'stop submitting before the batch would pass this many credits')
    .option('--name <name>', 'batch name (default: the file’s name, " (2)" added when taken)')
    .option(
      '--template <text>',
      'a template for every CSV/JSONL row without a prompt; the row’s other columns are its $variables',
    )
    .option('--sample-seed <n>', 'which lines __name:n__ samples (default 1)')
    .option('--preset <name>', 'start from a saved preset (default: the default preset; none skips it)')
    .option(
      '--sweep <name=v1,v2>',
      'an axis of an X/Y/Z sweep (repeatable, up to 3): ar, size, seed (1..8), images, format, expansion, safety, negative, model, prompt',
      collect,
      [],
    )
    .option('--dry-run', 'expand, validate, count and estimate; send nothing')
    .option(
      '--no-wait',
      'when another Qwen Studio runs this folder’s queue: return once the batch is queued (it runs it) ' +
        'instead of following its progress',
    )
    .addHelpText(
      'after',
      `
Templates: {a|b} alternatives, __wildcard__ (every line of wildcards/wildcard.txt) or __wildcard:3__
(3 sampled lines), {$var = a|b} … $var (one choice reused), \\{ \\} \\| \\$ \\_ literal.

Examples:
  qwen-studio run prompts.txt --aspect-ratio 16:9 --num-images 2
  qwen-studio run products.csv --max-credits 2000 --name "Spring catalogue" --json
  qwen-studio run idea.txt --sweep ar=1:1,16:9,9:16 --sweep seed=1..2 --dry-run
  qwen-studio run catalogue.csv --template 'studio photo of a $finish $product' --dry-run
  qwen-studio run ideas.txt --dry-run`,
    )
    .action(async (file: string, opts: Record<string, unknown>) => {
      const { cmdRun } = await import('./cli/queue.ts');
      result.code = await cmdRun(io, file, opts);
    });

  withQueueOptions(withCommon(program.command('resume').description('resume a paused or interrupted queue')))
    .addHelpText('after', '\nFollows every generation already accepted, then runs what is still queued.')
    .action(async (opts: Record<string, unknown>) => {
      const { cmdResume } = await import('./cli/queue.ts');
      result.code = await cmdResume(io, opts);
    });

  withCommon(program.command('status').description('batches and jobs by state, credits spent')).action(
    async (opts: Record<string, unknown>) => {
      const { cmdStatus } = await import('./cli/status.ts');
      result.code = await cmdStatus(io, opts);
    },
  );

  withCommon(
    program
      .command('search')
      .description('find library images (full query syntax), with their file paths')
      .argument('[query]', 'the query; empty matches every image', ''),
  )
    .addOption(
      new Option('--sort <order>', 'order (best: by the "pick the best" score, shown per image)')
        .choices(['newest', 'relevance', 'best'])
        .default('newest'),
    )
    .option('--limit <n>', 'images to list at most (1-10000)', '100')
    .addHelpText('after', `\nExample: qwen-studio search 'red car -blurry fav' --limit 20`)
    .action(async (query: string, opts: Record<string, unknown>) => {
      const { cmdSearch } = await import('./cli/library.ts');
      result.code = await cmdSearch(io, query, opts);
    });

  withCommon(
    program
      .command('export')
      .description('copy matching originals with metadata.csv/jsonl into a folder or a .zip')
      .argument('[query]', 'which images; empty exports them all', ''),
  )
    .requiredOption('--out <dir|file.zip>', 'a new folder, or a .zip file')
    .action(async (query: string, opts: { out: string }) => {
      const { cmdExport } = await import('./cli/library.ts');
      result.code = await cmdExport(io, query, opts);
    });

  withCommon(
    program
      .command('import')
      .description('bring existing images into the library (duplicates are skipped)')
      .argument('<folder>', 'a folder of images'),
  ).action(async (folder: string, opts: Record<string, unknown>) => {
    const { cmdImport } = await import('./cli/library.ts');
    result.code = await cmdImport(io, folder, opts);
  });

  withCommon(
    program
      .command('tag')
      .description('add or remove tags on every matching image')
      .argument('<query>', 'which images'),
  )
    .option('--add <tags>', 'tag(s) to add, comma-separated (repeatable)', collect, [])
    .option('--remove <tags>', 'tag(s) to remove, comma-separated (repeatable)', collect, [])
    .action(async (query: string, opts: Record<string, unknown>) => {
      const { cmdTag } = await import('./cli/library.ts');
      result.code = await cmdTag(io, query, opts);
    });

  withCommon(
    program
      .command('delete')
      .description('move matching images to the trash folder (undo brings them back)')
      .argument('<query>', 'which images (an empty query is refused)'),
  ).action(async (query: string, opts: Record<string, unknown>) => {
    const { cmdDelete } = await import('./cli/library.ts');
    result.code = await cmdDelete(io, query, opts);
  });

  withCommon(
    program
      .command('undo')
      .description('bring back what a delete moved to the trash folder')
      .argument('<token>', 'the number delete printed'),
  ).action(async (token: string, opts: Record<string, unknown>) => {
    const { cmdUndo } = await import('./cli/library.ts');
    result.code = await cmdUndo(io, token, opts);
  });

  withQueueOptions(
    withCommon(program.command('retry').description('retry failed or uncertain jobs, then run the queue')),
  )
    .option('--job <id>', 'one job')
    .option('--batch <id>', 'the failed and uncertain jobs of a batch')
    .option('--uncertain', 'every uncertain job (may charge twice: its first create may have been accepted)')
    .action(async (opts: Record<string, unknown>) => {
      const { cmdRetry } = await import('./cli/queue.ts');
      result.code = await cmdRetry(io, opts);
    });

  withCommon(program.command('drop').description('give up uncertain jobs (they are never re-sent)'))
    .option('--job <id>', 'one job')
    .option('--uncertain', 'every uncertain job')
    .action(async (opts: Record<string, unknown>) => {
      const { cmdDrop } = await import('./cli/queue.ts');
      result.code = await cmdDrop(io, opts);
    });

  withCommon(
    program
      .command('wildcards')
      .description('the files a template reads as __name__ (list, show, add, remove)')
      .argument('[action]', 'list, show, add or remove', 'list')
      .argument('[name]', 'the wildcard: colors, or animals/cats for wildcards/animals/cats.txt')
      .argument('[file]', 'add: a text file with one option per line'),
  )
    .option('--text <options>', 'add: the options on one line, separated by |')
    .addHelpText(
      'after',
      `
Examples:
  qwen-studio wildcards add colors colors.txt
  qwen-studio wildcards add animals/cats --text "tabby|siamese|black cat"
  qwen-studio wildcards show colors`,
    )
    .action(
      async (
        action: string,
        name: string | undefined,
        file: string | undefined,
        opts: Record<string, unknown>,
      ) => {
        const { cmdWildcards } = await import('./cli/wildcards.ts');
        result.code = await cmdWildcards(io, action, name, file, opts);
      },
    );

  const db = program
    .command('db')
    .description('check, back up or restore the catalog (studio.db)')
    .addHelpText(
      'after',
      '\nA backup is also taken automatically once a day while the queue is idle (the newest 7 are kept).',
    );
  withCommon(
    db.command('check').description('integrity check and schema version of the catalog, with a verdict'),
  ).action(async (opts: Record<string, unknown>) => {
    const { cmdDbCheck } = await import('./cli/db.ts');
    result.code = cmdDbCheck(io, opts);
  });
  withCommon(db.command('backup').description('copy the catalog to <data-dir>/backups/ now')).action(
    async (opts: Record<string, unknown>) => {
      const { cmdDbBackup } = await import('./cli/db.ts');
      result.code = await cmdDbBackup(io, opts);
    },
  );
  withCommon(
    db
      .command('restore')
      .description('put a backup in place of the catalog (the current file is kept aside)')
      .argument('[file]', 'the backup to restore; default the newest in <data-dir>/backups/'),
  ).action(async (file: string | undefined, opts: Record<string, unknown>) => {
    const { cmdDbRestore } = await import('./cli/db.ts');
    result.code = await cmdDbRestore(io, file, opts);
  });

  const library = program.command('library').description('the library as a whole');
  withCommon(
    library
      .command('rebuild')
      .description('rebuild a lost, emptied or damaged catalog from the records inside the images'),
  ).action(async (opts: Record<string, unknown>) => {
    const { cmdLibraryRebuild } = await import('./cli/db.ts');
    result.code = await cmdLibraryRebuild(io, opts);
  });

  withParamOptions(
    withCommon(
      program
        .command('presets')
        .description('named parameter sets: list, show, save, remove, default, export, import')
        .argument('[action]', 'list, show, save, remove, default, export or import', 'list')
        .argument('[name]', 'the preset (export/import: a .json file; default: a name or none)'),
    ),
    'save: ',
  )
    .option('--seed <n>', 'save: a fixed seed')
    .option('--repeat <n>', 'save: generations per prompt')
    .option('--negative <text>', 'save: negative prompt')
    .option('--no-expansion', 'save: prompt expansion off')
    .option('--sweep <name=v1,v2>', 'save: a sweep axis (repeatable)', collect, [])
    .option('--max-credits <n>', 'save: a budget')
    .option('--default', 'save: make it the default preset')
    .addHelpText(
      'after',
      `
Examples:
  qwen-studio presets save wide --aspect-ratio 16:9 --num-images 2 --default
  qwen-studio run ideas.txt --preset wide
  qwen-studio presets export presets.json   /   qwen-studio presets import presets.json`,
    )
    .action(async (action: string, name: string | undefined, opts: Record<string, unknown>) => {
      const { cmdPresets } = await import('./cli/presets.ts');
      result.code = await cmdPresets(io, action, name, opts);
    });

  withCommon(
    program
      .command('batch')
      .description('steer a batch: move it in the queue, set its priority or budget, duplicate it')
      .argument('<batch>', 'the batch’s number (qwen-studio status lists them)')
      .argument('<action>', 'move, priority, budget or duplicate')
      .argument('[value]', 'move: top|bottom|up|down · priority: -2…2 · budget: credits or none'),
  )
    .addHelpText(
      'after',
      `
A batch paused at its budget continues once the budget allows its next job (qwen-studio resume runs it).
Examples:
  qwen-studio batch 12 move top
  qwen-studio batch 12 budget 5000
  qwen-studio batch 12 budget none`,
    )
    .action(
      async (batch: string, action: string, value: string | undefined, opts: Record<string, unknown>) => {
        const { cmdBatch } = await import('./cli/batch.ts');
        result.code = await cmdBatch(io, batch, action, value, opts);
      },
    );

  withParamOptions(
    withCommon(
      program
        .command('job')
        .description('edit a queued job before it is sent (its prompt, seed or parameters)')
        .argument(
          '<job>',
          'the job: its number, or batch/place as the Queue shows it (12/3: job 3 of batch 12)',
        )
        .argument('<action>', 'edit'),
    ),
  )
    .option('--prompt <text>', 'the new prompt')
    .option('--seed <n>', 'the new seed')
    .option('--negative <text>', 'negative prompt (at most 500 characters)')
    .option('--expansion', 'prompt expansion on')
    .option('--no-expansion', 'prompt expansion off')
    .option('--safety-checker', 'safety checker on')
    .option('--no-safety-checker', 'safety checker off')
    .addHelpText(
      'after',
      `
Only a queued or paused job that was never sent can be edited; the queue sends it with the new values.
Examples:
  qwen-studio job 41 edit --prompt "a tiger in the snow" --seed 77
  qwen-studio job 12/3 edit --aspect-ratio 16:9 --num-images 2   (job 3 of batch 12)`,
    )
    .action(async (job: string, action: string, opts: Record<string, unknown>) => {
      const { cmdJob } = await import('./cli/job.ts');
      result.code = await cmdJob(io, job, action, opts);
    });

  withCommon(
    program
      .command('sheet')
      .description('a contact sheet of a sweep: one PNG, axis values as labels')
      .argument('<batch>', 'the sweep batch’s number'),
  )
    .requiredOption('--out <file.png>', 'where to write the PNG')
    .option('--cell-size <px>', 'size of each cell (48-1024)', '256')
    .option('--dark', 'dark background')
    .action(async (batch: string, opts: { out: string; cellSize?: string; dark?: boolean }) => {
      const { cmdSheet } = await import('./cli/sheet.ts');
      result.code = await cmdSheet(io, batch, opts);
    });

  program
    .command('simulator')
    .description('a local stand-in for the API (qwen-studio simulator --help lists its fault options)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (_opts: unknown, cmd: Command) => {
      const { runSimulatorCommand } = await import('./simulator/command.ts');
      try {
        await runSimulatorCommand(cmd.args);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      result.code = EXIT.ok;
    });

  return program;
}

/** Every command's name (and `help`): what makes the app's executable run as the command line. */
export function commandNames(): string[] {
  const program = buildProgram(processIo(), { code: EXIT.ok });
  return [...program.commands.flatMap((c) => [c.name(), ...c.aliases()]), 'help'];
}

export async function main(rawArgv: string[], rawIo: Io = processIo()): Promise<number> {
  const { debug, args: argv } = takeDebugFlag(rawArgv);
  // Everything printed may hold stored text (prompts from imported files, service messages): no control
  // character reaches the terminal, so none can retitle it, clear it or fake output.
  const io = terminalSafe(rawIo);
  const result = { code: EXIT.ok as number };
  const program = buildProgram(io, result);
  if (argv.length === 0) {
    // `qwen-studio` alone: what it can do, not an error.
    program.outputHelp();
    return EXIT.ok;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end here too; commander has already written what there was to say.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const { exitCodeFor } = await import('./cli/errors.ts');
    return exitCodeFor(err, io, { debug, dataDir: dataDirArgument(argv) });
  }
}
