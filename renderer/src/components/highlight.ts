// Splits a prompt line into the pieces the editor colours: `{ | }` of alternative groups (by nesting
// depth), escapes, comments, and a stray `}`. Mirrors the template grammar of main/engine/batch/template.ts.
export interface Token {
  kind: 'text' | 'brace' | 'pipe' | 'escape' | 'comment' | 'stray';
  text: string;
  depth: number;
}

export function tokenizeLine(line: string): Token[] {
  if (line.trimStart().startsWith('#')) return [{ kind: 'comment', text: line, depth: 0 }];
  const out: Token[] = [];
  let depth = 0;
  let buf = '';
  const flush = () => {
    if (buf) out.push({ kind: 'text', text: buf, depth });
    buf = '';
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) {
      flush();
      out.push({ kind: 'escape', text: ch + line[i + 1]!, depth });
      i++;
    } else if (ch === '{') {
      flush();
      depth++;
      out.push({ kind: 'brace', text: ch, depth });
    } else if (ch === '}') {
      flush();
      if (depth === 0) out.push({ kind: 'stray', text: ch, depth });
      else {
        out.push({ kind: 'brace', text: ch, depth });
        depth--;
      }
    } else if (ch === '|' && depth > 0) {
      flush();
      out.push({ kind: 'pipe', text: ch, depth });
    } else buf += ch;
  }
  flush();
  return out;
}
