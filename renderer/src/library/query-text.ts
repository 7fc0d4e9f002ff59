// The search box's text is the one source of truth for what the library shows: the filter controls and the
// chips read and edit filter tokens in it (`tag:portrait`, `ar:16:9`, `fav`, `rating>=4`…) and leave
// everything else as typed. Tokens are split the way the engine's parser splits them (whitespace, "quoted
// phrases", key:"quoted values", a leading - to exclude); what a token means is still decided by the engine.
import { tokenBody, tokenizeQuery, type QueryToken as SharedToken } from '../../../shared/query-tokens.ts';

export interface QueryToken {
  /** The token as typed, including its leading "-". */
  raw: string;
  start: number;
  end: number;
  negate: boolean;
  /** Canonical filter kind, or null for a word or phrase searched as text. */
  kind: FilterKind | null;
  /** The filter's value (for `tag:"old town"`, `old town`); the text itself for words. */
  value: string;
}

export type FilterKind =
  | 'tag'
  | 'batch'
  | 'collection'
  | 'ar'
  | 'format'
  | 'fav'
  | 'rejected'
  | 'rating'
  | 'before'
  | 'after'
  | 'on'
  | 'seed'
  | 'model'
  | 'source';

const KEYS: Record<string, FilterKind> = {
  tag: 'tag',
  tags: 'tag',
  batch: 'batch',
  collection: 'collection',
  col: 'collection',
  ar: 'ar',
  ratio: 'ar',
  aspect: 'ar',
  format: 'format',
  fmt: 'format',
  type: 'format',
  rating: 'rating',
  stars: 'rating',
  before: 'before',
  after: 'after',
  on: 'on',
  seed: 'seed',
  model: 'model',
  source: 'source',
};

function classify(t: SharedToken): { kind: FilterKind | null; value: string } {
  if (t.quoted && t.key === null) return { kind: null, value: t.value };
  if (t.key === null) {
    const lower = t.value.toLowerCase();
    if (lower === 'fav' || lower === 'favorite' || lower === 'favorites' || lower === 'favourite') {
      return { kind: 'fav', value: '' };
    }
    if (lower === 'rejected') return { kind: 'rejected', value: '' };
    const rating = /^rating(>=|<=|>|<|=)(.+)$/i.exec(t.value);
    if (rating) return { kind: 'rating', value: `${rating[1]}${rating[2]}` };
    return { kind: null, value: t.value };
  }
  const value = t.value;
  if (t.key === 'is') {
    const v = value.toLowerCase();
    if (v.startsWith('fav')) return { kind: 'fav', value: '' };
    if (v === 'rejected') return { kind: 'rejected', value: '' };
    if (v === 'imported' || v === 'generated') return { kind: 'source', value: v };
  }
  const kind = KEYS[t.key];
  if (kind) return { kind, value: kind === 'rating' && /^\d$/.test(value) ? `=${value}` : value };
  return { kind: null, value: tokenBody(t) };
}

/** The search text's tokens (split by the engine's own tokenizer) with the filter each one is, if any. */
export function tokenize(text: string): QueryToken[] {
  return tokenizeQuery(text).map((t) => ({
    raw: t.raw,
    start: t.start,
    end: t.end,
    negate: t.negate,
    ...classify(t),
  }));
}

/** The text with the token at [start, end) taken out and the spaces around it tidied. */
export function removeToken(text: string, token: Pick<QueryToken, 'start' | 'end'>): string {
  return `${text.slice(0, token.start)} ${text.slice(token.end)}`.replace(/\s+/g, ' ').trim();
}

/** A filter value as a token: quoted when it holds spaces. */
export function filterToken(kind: FilterKind, value: string, negate = false): string {
  const sign = negate ? '-' : '';
  if (kind === 'fav') return `${sign}fav`;
  if (kind === 'rejected') return `${sign}rejected`;
  if (kind === 'rating') return `rating${value}`;
  const v = /[\s"]/.test(value) ? `"${value.replace(/"/g, '')}"` : value;
  return `${sign}${kind}:${v}`;
}

/**
 * Replaces every token of `kind` (excluded or not) with one token for `value`; null only removes them.
 * New filters go at the end, so what the person typed stays where it was.
 */
export function setFilter(text: string, kind: FilterKind, value: string | null, negate = false): string {
  let next = text;
  for (const t of tokenize(text)
    .filter((t) => t.kind === kind)
    .reverse())
    next = removeToken(next, t);
  if (value === null) return next;
  return `${next} ${filterToken(kind, value, negate)}`.trim();
}

/** The value of the first (not excluded) token of `kind`, or null. */
export function getFilter(text: string, kind: FilterKind): string | null {
  const t = tokenize(text).find((t) => t.kind === kind && !t.negate);
  return t ? t.value : null;
}

export function hasFilter(text: string, kind: FilterKind, negate = false): boolean {
  return tokenize(text).some((t) => t.kind === kind && t.negate === negate);
}
