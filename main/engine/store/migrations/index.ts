// The ordered list of migrations. Append only: an applied migration is hash-checked at every open, so
// editing one that has shipped is caught instead of silently diverging from databases in the field.
import { migration as m001 } from './001-initial.ts';
import { migration as m002 } from './002-library.ts';
import { migration as m003 } from './003-batch-power.ts';
import { migration as m004 } from './004-presets.ts';
import { migration as m005 } from './005-ranking.ts';
import { migration as m006 } from './006-ref-positions.ts';
import { migration as m007 } from './007-bulk-index.ts';
import { migration as m008 } from './008-sent-at.ts';
import { migration as m009 } from './009-search-without-batch-names.ts';
import { migration as m010 } from './010-links-outside-the-index.ts';
import type { Migration } from './types.ts';

export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010];
export type { Migration };
