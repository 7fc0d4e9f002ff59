import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputFileError, parsePromptText, readPromptFile } from '../../main/engine/batch/input-file.ts';
import { INPUT_LIMITS } from '../../shared/input-limits.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'qs-input-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

function inputError(fn: () => unknown): InputFileError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputFileError);
    return err as InputFileError;
  }
  throw new Error('expected an InputFileError');
}

async function inputErrorAsync(promise: Promise<unknown>): Promise<InputFileError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputFileError);
  return err as InputFileError;
}

describe('.txt prompt files', () => {
  it('reads a prompt per line, skipping blank lines and # comments, with CRLF and a BOM', async () => {
    const file = await write(
      'list.txt',
      '\uFEFF# my prompts\r\na red fox\r\n\r\n   \r\n  # indented comment\r\n一只猫 {in|on} a box \r\nlast line without newline',
    );
    expect(await readPromptFile(file)).toEqual([
      { prompt: 'a red fox', origin: 'list.txt:2' },
      { prompt: '一只猫 {in|on} a box', origin: 'list.txt:6' },
      { prompt: 'last line without newline', origin: 'list.txt:7' },
    ]);
  });

  it('returns nothing for a file of comments only', () => {
    expect(parsePromptText('# nothing yet\n\n', 'empty.txt')).toEqual([]);
  });
});

describe('.csv prompt files', () => {
  it('reads every column into typed params, refs split into URLs and resolved local paths', async () => {
    const file = await write(
      'sets/full.csv',
      [
        'prompt,negative_prompt,aspect_ratio,image_size,seed,num_images,output_format,enable_prompt_expansion,refs',
        'a red fox,blurry,16:9,,42,2,webp,no,https://example.com/a.png;faces/b.png',
        'a blue whale,,,landscape_4_3,,,,YES,',
        'a green frog,,,,0,,,1,/abs/c.jpg ; https://example.com/d.jpg',
      ].join('\n'),
    );
    const entries = await readPromptFile(file);
    expect(entries).toEqual([
      {
        prompt: 'a red fox',
        origin: 'full.csv:2',
        params: {
          negative_prompt: 'blurry',
          aspect_ratio: '16:9',
          seed: 42,
          num_images: 2,
          output_format: 'webp',
          enable_prompt_expansion: false,
        },
        refs: ['https://example.com/a.png'],
        refPaths: [path.join(dir, 'sets', 'faces', 'b.png')],
        refSources: ['https://example.com/a.png', path.join(dir, 'sets', 'faces', 'b.png')],
        refsAt: { line: 2, column: 9 },
      },
      {
        prompt: 'a blue whale',
        origin: 'full.csv:3',
        params: { image_size: 'landscape_4_3', enable_prompt_expansion: true },
      },
      {
        prompt: 'a green frog',
        origin: 'full.csv:4',
        params: { seed: 0, enable_prompt_expansion: true },
        refs: ['https://example.com/d.jpg'],
        refPaths: [path.resolve('/abs/c.jpg')],
        // The order the row gives, files and URLs mixed: the order the service receives them in.
        refSources: [path.resolve('/abs/c.jpg'), 'https://example.com/d.jpg'],
        refsAt: { line: 4, column: 9 },
      },
    ]);
  });

  it('keeps quoted commas, quotes and newlines inside prompts and numbers lines from where a row starts', () => {
    const text = [
      'prompt,seed',
      '"a fox, a hare, and a ""wise"" owl",1',
      '"line one',
      'line two",2',
      'plain,3',
    ].join('\r\n');
    const entries = parsePromptText(text, 'quoted.csv');
    expect(entries.map((e) => [e.prompt, e.params?.seed, e.origin])).toEqual([
      ['a fox, a hare, and a "wise" owl', 1, 'quoted.csv:2'],
      ['line one\r\nline two', 2, 'quoted.csv:3'],
      ['plain', 3, 'quoted.csv:5'],
    ]);
  });

  it('accepts header names in any case, skips blank lines and empty rows, strips a BOM', () => {
    const entries = parsePromptText('\uFEFF Prompt ,SEED\n\nfirst,7\n,\nsecond,\n', 'mixed.csv');
    expect(entries).toEqual([
      { prompt: 'first', origin: 'mixed.csv:3', params: { seed: 7 } },
      { prompt: 'second', origin: 'mixed.csv:5' },
    ]);
  });

  it('names a column that is neither an API field nor a variable name, and lists the fields', () => {
    const err = inputError(() => parsePromptText('prompt,art style\nx,y\n', 'p.csv'));
    expect(err.line).toBe(1);
    expect(err.column).toBe(2);
    expect(err.message).toContain("column 'art style' is neither an API field");
    expect(err.message).toContain('prompt, negative_prompt, aspect_ratio, image_size, seed, num_images');
  });

  it('reads other columns as template variables, named as written', () => {
    expect(parsePromptText('prompt,Style\na $Style fox,oil\n', 'p.csv')).toEqual([
      { prompt: 'a $Style fox', origin: 'p.csv:2', vars: { Style: 'oil' } },
    ]);
  });

  it('gives rows without a prompt the shared template, and allows no prompt column with one', () => {
    const csv = 'product,color,refs\nmug,red,https://x.test/mug.png\nlamp,blue,\n';
    expect(parsePromptText(csv, 'cat.csv', { template: 'a $color $product on white' })).toEqual([
      {
        prompt: 'a $color $product on white',
        origin: 'cat.csv:2',
        vars: { product: 'mug', color: 'red' },
        refs: ['https://x.test/mug.png'],
        refSources: ['https://x.test/mug.png'],
      },
      { prompt: 'a $color $product on white', origin: 'cat.csv:3', vars: { product: 'lamp', color: 'blue' } },
    ]);
    expect(inputError(() => parsePromptText('product\nmug\n', 'cat.csv')).message).toContain(
      'or give a template shared by every row',
    );
  });

  it('requires a prompt column and refuses duplicate columns', () => {
    expect(inputError(() => parsePromptText('seed\n1\n', 'p.csv')).message).toContain("no 'prompt' column");
    const dup = inputError(() => parsePromptText('prompt,seed,seed\nx,1,2\n', 'p.csv'));
    expect(dup.column).toBe(3);
    expect(dup.message).toContain("column 'seed' appears twice");
  });

  it('points at the line, column and name of a bad seed', () => {
    const rows = ['prompt,negative_prompt,seed'];
    for (let i = 0; i < 10; i++) rows.push(`prompt ${i},,${i}`);
    rows.push('the bad one,,12abc');
    const err = inputError(() => parsePromptText(rows.join('\n'), 'prompts.csv'));
    expect(err.line).toBe(12);
    expect(err.column).toBe(3);
    expect(err.field).toBe('seed');
    expect(err.message).toBe(
      'prompts.csv, line 12, column 3 (seed): seed must be a whole number — fix the value or remove the column',
    );
  });

  it('reports out-of-range and enum values in plain words', () => {
    const seed = inputError(() => parsePromptText('prompt,seed\nx,2147483648\n', 'p.csv'));
    expect(seed.message).toContain('seed must be at most 2147483647');
    const ratio = inputError(() => parsePromptText('prompt,aspect_ratio\nx,5:4\n', 'p.csv'));
    expect(ratio.column).toBe(2);
    expect(ratio.message).toContain('aspect_ratio must be one of 1:1, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3');
    const flag = inputError(() => parsePromptText('prompt,enable_prompt_expansion\nx,maybe\n', 'p.csv'));
    expect(flag.message).toContain('enable_prompt_expansion must be true or false');
    const neg = inputError(() => parsePromptText(`prompt,negative_prompt\nx,${'n'.repeat(501)}\n`, 'p.csv'));
    expect(neg.message).toContain('negative prompt is longer than 500 characters');
  });

  it('reads enable_safety_checker as a switch and n as num_images (n itself is never sent)', () => {
    const rows = parsePromptText(
      'prompt,enable_safety_checker,n\nsafe,yes,2\nfree,false,\nplain,,\n',
      'p.csv',
    );
    expect(rows.map((r) => r.params)).toEqual([
      { enable_safety_checker: true, num_images: 2 },
      { enable_safety_checker: false },
      undefined,
    ]);
    const jsonl = parsePromptText(
      '{"prompt": "x", "n": 3, "num_images": 3}\n{"prompt": "y", "n": "4"}\n',
      'l.jsonl',
    );
    expect(jsonl.map((r) => r.params)).toEqual([{ num_images: 3 }, { num_images: 4 }]);
    const clash = inputError(() => parsePromptText('prompt,num_images,n\nx,1,2\n', 'p.csv'));
    expect(clash.message).toBe(
      'p.csv, line 2, column 3 (n): n and num_images disagree; give one of them (num_images is what is sent) — fix the value or remove the column',
    );
    expect(inputError(() => parsePromptText('{"prompt": "x", "n": 7}\n', 'l.jsonl')).message).toContain(
      '(n): n must be a whole number from 1 to 4',
    );
    const flag = inputError(() => parsePromptText('prompt,enable_safety_checker\nx,maybe\n', 'p.csv'));
    expect(flag.message).toContain('enable_safety_checker must be true or false');
  });

  it('refuses a row with an empty prompt, naming the cell', () => {
    const err = inputError(() => parsePromptText('seed,prompt\n1,ok\n2,  \n', 'p.csv'));
    expect(err.line).toBe(3);
    expect(err.column).toBe(2);
    expect(err.message).toContain('the prompt is empty');
  });

  it('reports an unclosed quote at the row where it opens', () => {
    const text = 'prompt,seed\nfine,1\n"never closed,2\nmore,3\n';
    const err = inputError(() => parsePromptText(text, 'broken.csv'));
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/^broken\.csv, line 3: a quoted value starting on this row is never closed/);
  });

  it('reports a row with the wrong number of values', () => {
    const err = inputError(() => parsePromptText('prompt,seed\na,1\na fox, a hare,2\n', 'p.csv'));
    expect(err.line).toBe(3);
    expect(err.message).toContain('this row has 3 values but the header has 2 columns');
  });

  it('reports a stray quote in an unquoted value', () => {
    const err = inputError(() => parsePromptText('prompt,seed\na,1\nthe "best" fox,2\n', 'p.csv'));
    expect(err.line).toBe(3);
    expect(err.message).toContain('stray quote');
  });

  it('refuses more than four references on a row', () => {
    const err = inputError(() => parsePromptText('prompt,refs\nx,a.png;b.png;c.png;d.png;e.png\n', 'p.csv'));
    expect(err.message).toContain('5 reference images given; the service takes at most 4');
  });

  it('refuses references that are neither paths nor http(s) URLs', () => {
    const err = inputError(() => parsePromptText('prompt,refs\nx,ftp://host/a.png\n', 'p.csv'));
    expect(err.field).toBe('refs');
    expect(err.message).toContain("'ftp://host/a.png' is neither a local file path nor an http(s) URL");
  });

  it('refuses a file past the row cap', () => {
    const text = 'prompt\n' + 'p\n'.repeat(INPUT_LIMITS.batchEntries + 1);
    expect(() => parsePromptText(text, 'big.csv')).toThrow(/more than 100,000 prompts in one file/);
    expect(parsePromptText('prompt\n' + 'p\n'.repeat(INPUT_LIMITS.batchEntries), 'ok.csv')).toHaveLength(
      INPUT_LIMITS.batchEntries,
    );
  });
});

describe('.jsonl prompt files', () => {
  it('reads an object per line with refs as an array or a ; string', async () => {
    const file = await write(
      'j/list.jsonl',
      [
        '{"prompt": "a red fox", "seed": 5, "aspect_ratio": "4:3", "refs": ["ref/one.png", "https://x.test/2.png"]}',
        '',
        '{"prompt": "a blue whale", "refs": "~/pics/w.png; two.png", "enable_prompt_expansion": false, "negative_prompt": null}',
      ].join('\n'),
    );
    expect(await readPromptFile(file)).toEqual([
      {
        prompt: 'a red fox',
        origin: 'list.jsonl:1',
        params: { seed: 5, aspect_ratio: '4:3' },
        refs: ['https://x.test/2.png'],
        refPaths: [path.join(dir, 'j', 'ref', 'one.png')],
        refSources: [path.join(dir, 'j', 'ref', 'one.png'), 'https://x.test/2.png'],
        refsAt: { line: 1, column: null },
      },
      {
        prompt: 'a blue whale',
        origin: 'list.jsonl:3',
        params: { enable_prompt_expansion: false },
        refPaths: [path.join(homedir(), 'pics', 'w.png'), path.join(dir, 'j', 'two.png')],
        refSources: [path.join(homedir(), 'pics', 'w.png'), path.join(dir, 'j', 'two.png')],
        refsAt: { line: 3, column: null },
      },
    ]);
  });

  it('reports JSON syntax errors with line and column', () => {
    const err = inputError(() => parsePromptText('{"prompt": "ok"}\n{"prompt": "x",}\n', 'l.jsonl'));
    expect(err.line).toBe(2);
    expect(err.column).toBe(16);
    expect(err.message).toMatch(/^l\.jsonl, line 2, column 16: not valid JSON/);
  });

  it('names the field with a wrong type', () => {
    const seed = inputError(() => parsePromptText('{"prompt": "x", "seed": 1.5}\n', 'l.jsonl'));
    expect(seed.field).toBe('seed');
    expect(seed.column).toBeNull();
    expect(seed.message).toBe(
      'l.jsonl, line 1 (seed): seed must be a whole number — fix the value or remove the field',
    );
    const flag = inputError(() =>
      parsePromptText('{"prompt": "x", "enable_prompt_expansion": 3}\n', 'l.jsonl'),
    );
    expect(flag.message).toContain(
      '(enable_prompt_expansion): enable_prompt_expansion must be true or false',
    );
    const prompt = inputError(() => parsePromptText('{"prompt": 12}\n', 'l.jsonl'));
    expect(prompt.message).toContain('(prompt): prompt must be text');
    const refs = inputError(() => parsePromptText('{"prompt": "x", "refs": [1]}\n', 'l.jsonl'));
    expect(refs.field).toBe('refs');
  });

  it('refuses lines that are not objects, unknown keys and missing prompts', () => {
    expect(inputError(() => parsePromptText('["a"]\n', 'l.jsonl')).message).toContain(
      'expected a JSON object',
    );
    const unknown = inputError(() => parsePromptText('{"prompt": "x", "art style": "y"}\n', 'l.jsonl'));
    expect(unknown.message).toContain("field 'art style' is neither an API field");
    const nested = inputError(() => parsePromptText('{"prompt": "x", "style": {"a": 1}}\n', 'l.jsonl'));
    expect(nested.message).toContain('variable style must be text or a number');
    expect(inputError(() => parsePromptText('{"seed": 1}\n', 'l.jsonl')).message).toContain(
      'the prompt is empty',
    );
  });
});

describe('readPromptFile and types', () => {
  it('refuses an unsupported extension, naming the allowed ones', () => {
    const err = inputError(() => parsePromptText('prompt\tseed\n', 'list.tsv'));
    expect(err.line).toBe(0);
    expect(err.message).toContain("'.tsv' files are not a prompt list");
    expect(err.message).toContain('.txt, .csv, .jsonl');
  });

  it('reports a missing file with its path and line 0', async () => {
    const missing = path.join(dir, 'nope.csv');
    const err = await inputErrorAsync(readPromptFile(missing));
    expect(err.line).toBe(0);
    expect(err.file).toBe(missing);
    expect(err.message).toBe(`nope.csv: not found at ${missing} — check the path`);
  });

  it('reports a folder given instead of a file', async () => {
    const err = await inputErrorAsync(readPromptFile(dir));
    expect(err.message).toContain('is a folder');
  });
});
