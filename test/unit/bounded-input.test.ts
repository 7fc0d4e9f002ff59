// Issue 11 item 2: every input has a documented maximum, checked before any work. A 60 MB prompt made the
// Compose preview take 31 s and 3.8 GB; a template nested 1,500 deep overflowed the stack. Both must now be
// a clear message, from the schema (every transport) and from the file readers (before expanding).
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/api.ts';
import { INPUT_LIMITS } from '../../shared/input-limits.ts';
import { contract } from '../../shared/contract.ts';
import { InputFileError, parsePromptText } from '../../main/engine/batch/input-file.ts';
import { TemplateError, countExpansions, expandTemplate } from '../../main/engine/batch/template.ts';

function firstMessage(result: { success: boolean; error?: { issues: { message: string }[] } }): string {
  expect(result.success).toBe(false);
  return result.error!.issues[0]!.message;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('the batch schema', () => {
  it('refuses a 60 MB prompt with the documented maximum', () => {
    const huge = 'a'.repeat(60 * 1024 * 1024);
    const spec = { entries: [{ prompt: huge }] };
    const message = firstMessage(contract['batch.plan'].input.safeParse(spec));
    expect(message).toBe(
      `a prompt template is limited to ${INPUT_LIMITS.templateChars.toLocaleString('en-US')} characters`,
    );
  });

  it('refuses more prompts than a batch may hold', () => {
    const entries = Array.from({ length: INPUT_LIMITS.batchEntries + 1 }, () => ({ prompt: 'p' }));
    expect(firstMessage(contract['batch.create'].input.safeParse({ entries }))).toMatch(
      /at most 100,000 prompts/,
    );
  });
});

describe('search text', () => {
  it.each(['library.search', 'searches.save'] as const)('%s refuses a NUL or an escape sequence', (op) => {
    for (const bad of ['cat\u0000', '\u001b]0;pwned\u0007']) {
      const input = op === 'library.search' ? { text: bad } : { name: 'n', query: bad };
      expect(firstMessage(contract[op].input.safeParse(input))).toBe(
        'search text may not contain control characters — remove them and search again',
      );
    }
    const fine = op === 'library.search' ? { text: 'red\tcar' } : { name: 'n', query: 'red car' };
    expect(contract[op].input.safeParse(fine).success).toBe(true);
  });
});

describe('templates', () => {
  const deep = (n: number) => '{'.repeat(n) + 'a' + '}'.repeat(n);

  it('refuses nesting deeper than the limit with a column, instead of overflowing the stack', () => {
    for (const fn of [() => expandTemplate(deep(1500)), () => countExpansions(deep(1500))]) {
      const err = thrown(fn);
      expect(err).toBeInstanceOf(TemplateError);
      expect((err as TemplateError).message).toBe(
        `groups are nested more than ${INPUT_LIMITS.templateDepth} deep at column ${INPUT_LIMITS.templateDepth + 1} — flatten the template`,
      );
      expect((err as TemplateError).column).toBe(INPUT_LIMITS.templateDepth + 1);
    }
    expect(expandTemplate(deep(INPUT_LIMITS.templateDepth))).toEqual([
      { text: 'a', bindings: Array(INPUT_LIMITS.templateDepth).fill('a') },
    ]);
  });

  it('refuses a template longer than the limit before parsing it', () => {
    const err = thrown(() => expandTemplate('x'.repeat(INPUT_LIMITS.templateChars + 1)));
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as Error).message).toMatch(/limited to 20,000 characters/);
  });

  it('refuses a template whose longest prompt would pass the prompt limit, before expanding it', () => {
    const long = `{${'a'.repeat(3000)}|b} and {${'c'.repeat(3000)}|d}`;
    const err = thrown(() => expandTemplate(long));
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as Error).message).toBe(
      `this template can expand to a prompt of 6,005 characters; the service takes at most ${LIMITS.promptChars.toLocaleString('en-US')} — shorten the longest alternatives`,
    );
  });
});

describe('prompt files', () => {
  const tooLong = 'x'.repeat(INPUT_LIMITS.templateChars + 1);

  it.each([
    ['list.txt', `ok\n${tooLong}\n`, 'list.txt, line 2'],
    [
      'list.jsonl',
      `{"prompt":"ok"}\n${JSON.stringify({ prompt: tooLong })}\n`,
      'list.jsonl, line 2 (prompt)',
    ],
    ['list.csv', `prompt\nok\n"${tooLong}"\n`, 'list.csv, line 3, column 1 (prompt)'],
  ])('%s: a prompt over the limit is refused with its line', (name, text, where) => {
    const err = thrown(() => parsePromptText(text, name));
    expect(err).toBeInstanceOf(InputFileError);
    expect((err as Error).message).toBe(
      `${where}: a prompt template is limited to 20,000 characters — shorten it or split it into several rows`,
    );
  });

  it.each([
    [
      'list.jsonl',
      `{"prompt":"ok"}\n{"prompt":"ok","negative_prompt":"${'n'.repeat(INPUT_LIMITS.promptFileLineChars)}"}\n`,
    ],
    ['list.csv', `prompt,negative_prompt\nok,${'n'.repeat(INPUT_LIMITS.promptFileLineChars)}\n`],
  ])('%s: a row longer than the line limit is refused before it is parsed', (name, text) => {
    const err = thrown(() => parsePromptText(text, name));
    expect(err).toBeInstanceOf(InputFileError);
    expect((err as Error).message).toMatch(/line 2: .*longer than 65,536 characters/);
  });
});
