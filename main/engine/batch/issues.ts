// Plain-language messages for zod issues the shared schemas leave at zod's defaults ("Too big: expected
// number to be <=4"). Passed per parse, so every message a schema already defines still wins.
import type { z } from 'zod';

function fieldName(path: readonly PropertyKey[] | undefined): string {
  const key = path?.[0];
  return typeof key === 'string' ? key : 'value';
}

export const friendlyIssues: z.core.$ZodErrorMap = (issue) => {
  const field = fieldName(issue.path);
  switch (issue.code) {
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_type':
      if (issue.expected === 'int') return `${field} must be a whole number`;
      if (issue.expected === 'number') return `${field} must be a number`;
      if (issue.expected === 'boolean') return `${field} must be true or false`;
      if (issue.expected === 'string') return `${field} must be text`;
      if (issue.expected === 'array') return `${field} must be a list`;
      return undefined;
    case 'too_big':
      return issue.origin === 'string'
        ? `${field} must be at most ${issue.maximum} characters`
        : issue.origin === 'array'
          ? `${field} may hold at most ${issue.maximum} items`
          : `${field} must be at most ${issue.maximum}`;
    case 'too_small':
      return issue.origin === 'string' || issue.origin === 'array'
        ? `${field} must not be empty`
        : `${field} must be at least ${issue.minimum}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    default:
      return undefined;
  }
};

/** The first issue of a failed parse as one line: its own message, prefixed by the field unless it names it. */
export function firstIssueMessage(error: z.ZodError): { field: string | null; message: string } {
  const issue = error.issues[0];
  if (!issue) return { field: null, message: 'invalid value' };
  const key = issue.path[0];
  return { field: typeof key === 'string' ? key : null, message: issue.message };
}
