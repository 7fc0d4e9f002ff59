// One table of defaults for the app and the CLI: fresh settings (the app's new batch starts from them) ask
// for prompt expansion exactly as the CLI does without --no-expansion — the service's documented default.
import { describe, expect, it } from 'vitest';
import { paramsFromFlags } from '../../main/cli/run.ts';
import { DEFAULT_PROMPT_EXPANSION, DEFAULT_SETTINGS, settingsSchema } from '../../shared/settings.ts';

describe('the default for prompt expansion', () => {
  it('is on in fresh settings, which the app’s new batch starts from', () => {
    expect(DEFAULT_PROMPT_EXPANSION).toBe(true);
    expect(DEFAULT_SETTINGS.defaults.enable_prompt_expansion).toBe(true);
    expect(settingsSchema.parse({}).defaults.enable_prompt_expansion).toBe(true);
  });

  it('is left to the service’s default (on) in the CLI unless --no-expansion turns it off', () => {
    expect(paramsFromFlags({})).not.toHaveProperty('enable_prompt_expansion');
    expect(paramsFromFlags({ expansion: false }).enable_prompt_expansion).toBe(false);
  });
});
