// Our XMP packet: the parameters text and the JSON record as two properties of a namespace of our own
// (exiftool shows unknown namespaces as `XMP-<prefix>:<Property>`), plus the standard xmp:CreatorTool.
// Written by hand because the packet is tiny and fixed; read back with patterns that also accept the
// attribute form exiftool uses when it rewrites a packet.
import type { StudioRecord } from './types.ts';

export const XMP_NS = 'urn:qwen-studio:xmp:1.0/';
const PREFIX = 'qwenstudio';

export interface OurXmp {
  parameters: string | null;
  /** The JSON text of the record. */
  record: string | null;
  /** Container bookkeeping that only a strip needs (WebP: the header as it was before we added ours). */
  container: string | null;
}

/** XML element text: markup escaped, CR kept as a reference, characters XML 1.0 cannot carry dropped. */
function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/\r/g, '&#13;')
  );
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_m, ent: string) => {
    switch (ent) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const code = ent[1] === 'x' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
  });
}

export function buildXmpPacket(content: OurXmp): string {
  const props: string[] = ['   <xmp:CreatorTool>Qwen Studio</xmp:CreatorTool>'];
  if (content.parameters !== null) {
    props.push(`   <${PREFIX}:parameters>${escapeXml(content.parameters)}</${PREFIX}:parameters>`);
  }
  if (content.record !== null)
    props.push(`   <${PREFIX}:record>${escapeXml(content.record)}</${PREFIX}:record>`);
  if (content.container !== null) {
    props.push(`   <${PREFIX}:container>${escapeXml(content.container)}</${PREFIX}:container>`);
  }
  return [
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    `  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:${PREFIX}="${XMP_NS}">`,
    ...props,
    '  </rdf:Description>',
    ' </rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
}

/** True when an XMP payload is one of ours (it declares our namespace). */
export function isOurXmp(payload: Buffer): boolean {
  return payload.includes(XMP_NS, 0, 'utf8');
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Our properties from an XMP packet, whatever prefix it binds our namespace to; null when it has none. */
export function readOurXmp(xml: string): OurXmp | null {
  const decl = new RegExp(`xmlns:([A-Za-z_][\\w.-]*)\\s*=\\s*["']${escapeRe(XMP_NS)}["']`).exec(xml);
  if (!decl) return null;
  const prefix = escapeRe(decl[1]!);
  const prop = (name: string): string | null => {
    const element = new RegExp(`<${prefix}:${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${prefix}:${name}>`).exec(xml);
    if (element) return unescapeXml(element[1]!);
    const attribute = new RegExp(`\\s${prefix}:${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(xml);
    if (attribute) return unescapeXml(attribute[1] ?? attribute[2] ?? '');
    return null;
  };
  return { parameters: prop('parameters'), record: prop('record'), container: prop('container') };
}

// ---- fitting a size limit ----------------------------------------------------------------------------

/** A lossless or coarse reduction: returns the names it adds to `truncated`, or null when it had nothing to do. */
type Reduction = (r: StudioRecord, c: { parameters: string | null }) => string[] | null;

const REDUCTIONS: Reduction[] = [
  // The request body repeats the prompts: drop the copies when they equal the top-level fields (no loss).
  (r) => {
    const dropped: string[] = [];
    const input = { ...r.input };
    if (typeof input.prompt === 'string' && input.prompt === r.prompt) {
      delete input.prompt;
      dropped.push('input.prompt');
    }
    if (typeof input.negative_prompt === 'string' && input.negative_prompt === (r.negativePrompt ?? '')) {
      delete input.negative_prompt;
      dropped.push('input.negative_prompt');
    }
    r.input = input;
    return dropped.length > 0 ? dropped : null;
  },
  // The parameters text leaves the XMP (the caller keeps it in EXIF UserComment); not a record field.
  (_r, c) => {
    if (c.parameters === null) return null;
    c.parameters = null;
    return [];
  },
  // The rest of the request body: its meaningful fields are top-level or in the parameters text too.
  (r) => {
    if (Object.keys(r.input).length === 0) return null;
    r.input = {};
    return ['input'];
  },
];

/** Fields shortened, in this order, when the reductions were not enough. */
const CUT_FIELDS = ['actualPrompt', 'prompt', 'negativePrompt'] as const;

/**
 * Our XMP packet as UTF-8, at most `maxBytes` long: the full content when it fits, else reduced until it
 * does, every step named in `record.truncated`: (1) `input.prompt`/`input.negative_prompt` dropped when
 * they repeat the top-level fields, (2) the parameters text left out, (3) `input` emptied, (4)
 * `actualPrompt`, then `prompt`, then `negativePrompt` cut to the longest prefix that fits. Throws only
 * when even that cannot fit (a limit below a few hundred bytes).
 */
export function fitXmpPacket(
  parameters: string | null,
  record: StudioRecord,
  container: string | null,
  maxBytes: number,
): Buffer {
  const build = (r: StudioRecord, p: string | null) =>
    Buffer.from(buildXmpPacket({ parameters: p, record: JSON.stringify(r), container }), 'utf8');
  const first = build(record, parameters);
  if (first.length <= maxBytes) return first;

  const r: StudioRecord = structuredClone(record);
  const c = { parameters };
  const truncated: string[] = [...(r.truncated ?? [])];
  const note = (names: string[]) => {
    truncated.push(...names);
    if (truncated.length > 0) r.truncated = [...truncated];
  };
  for (const reduce of REDUCTIONS) {
    const names = reduce(r, c);
    if (names === null) continue;
    note(names);
    const packet = build(r, c.parameters);
    if (packet.length <= maxBytes) return packet;
  }
  for (const field of CUT_FIELDS) {
    const full = r[field];
    if (typeof full !== 'string' || full === '') continue;
    note([field]);
    // Longest prefix that fits, in whole code points (half a surrogate pair would turn into U+FFFD).
    const chars = Array.from(full);
    let lo = 0;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      r[field] = chars.slice(0, mid).join('');
      if (build(r, c.parameters).length <= maxBytes) lo = mid;
      else hi = mid - 1;
    }
    r[field] = chars.slice(0, lo).join('');
    const packet = build(r, c.parameters);
    if (packet.length <= maxBytes) return packet;
  }
  throw new Error(`the metadata record cannot fit in ${maxBytes} bytes even without its prompts`);
}
