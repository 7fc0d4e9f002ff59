// Settings a person can change, one zod schema: defaults live here and nowhere else.
import { z } from 'zod';
import { apiBaseProblem } from './api-base.ts';
import { DEFAULT_API_BASE } from './api.ts';
import { generationParamsSchema } from './domain.ts';

/**
 * Prompt expansion is on unless a batch turns it off, in the app as in the CLI (`--no-expansion`): it is the
 * service's documented default (API.md), so a CSV runs the same way through either door.
 */
export const DEFAULT_PROMPT_EXPANSION = true;

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** The UI's language; 'system' follows the operating system (or the browser, in the bridge). */
export const LANGUAGE_CHOICES = ['system', 'en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGE_CHOICES)[number];

export const settingsSchema = z.object({
  /** Where the key is sent: https, or plain http on this machine only (shared/api-base.ts). */
  apiBase: z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      const problem = apiBaseProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default(DEFAULT_API_BASE),
  /**
   * The workspace whose running list is read (to re-attach creates whose answer was lost); empty: the key's
   * default workspace. The service's `workspace` parameter of GET /v1/generations/running.
   */
  workspace: z.string().trim().max(200, 'workspace is at most 200 characters').default(''),
  concurrency: z.number().int().min(1).max(32).default(4),
  downloadConcurrency: z.number().int().min(1).max(16).default(4),
  /** Follow JSON creates over the live event stream (fewer requests than polling). */
  stream: z.boolean().default(true),
  defaults: generationParamsSchema.default({
    aspect_ratio: '1:1',
    num_images: 1,
    output_format: 'png',
    enable_prompt_expansion: DEFAULT_PROMPT_EXPANSION,
  }),
  theme: z.enum(THEMES).default('system'),
  language: z.enum(LANGUAGE_CHOICES).default('system'),
});
export type Settings = z.output<typeof settingsSchema>;
export type SettingsPatch = Partial<z.input<typeof settingsSchema>>;

export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});
