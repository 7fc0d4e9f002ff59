// Turns the body of a create (JSON or multipart) into a checked input, as strictly as the service's
// contract: only the schema's fields, at most four references, files that really are images.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { LIMITS, serviceInputSchema, type Model, type ServiceInput } from '../../shared/api.ts';
import { ApiError } from './http-util.ts';

export interface Upload {
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  bytes: Buffer;
}

/** One reference in the order it was sent: a remote URL or an uploaded file. */
export type Reference = { kind: 'url'; url: string } | { kind: 'file'; upload: Upload };

export interface CreateRequest {
  input: ServiceInput;
  references: Reference[];
  /** Only qwen-image-2-pro defines it; accepted and echoed, it changes nothing here. */
  syncMode?: boolean;
}

/** Fields the older qwen/qwen-image model does not define. */
const NOT_ON_QWEN_IMAGE = ['image_size', 'num_images', 'enable_prompt_expansion'] as const;

export async function parseCreateBody(
  contentType: string | undefined,
  body: Buffer,
  model: Model,
  opts: { jsonOnly: boolean },
): Promise<CreateRequest> {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') {
    if (opts.jsonOnly) {
      throw invalid(
        'The SSE route accepts a JSON body only; send local files with the multipart create (POST /v1/generation/{model}) and poll.',
      );
    }
    return checkFields(await fieldsFromMultipart(contentType!, body), model);
  }
  if (type === 'application/json' || type.endsWith('+json')) {
    return checkFields({ fields: parseJson(body), files: [], order: null }, model);
  }
  throw invalid(
    `Unsupported Content-Type "${type || '(none)'}": send application/json or multipart/form-data.`,
  );
}

interface RawFields {
  fields: Record<string, unknown>;
  files: Upload[];
  /** Multipart only: the kind of each `image_urls` entry in the order sent. */
  order: Array<'url' | 'file'> | null;
}

function parseJson(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw invalid(`Body is not valid JSON (${(err as Error).message}).`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('Body must be a JSON object of generation fields.');
  }
  return value as Record<string, unknown>;
}

async function fieldsFromMultipart(contentType: string, body: Buffer): Promise<RawFields> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch (err) {
    throw invalid(`Multipart body could not be parsed (${(err as Error).message}).`);
  }
  const fields: Record<string, unknown> = {};
  const urls: string[] = [];
  const files: Upload[] = [];
  const order: Array<'url' | 'file'> = [];
  for (const [name, value] of form) {
    if (name === 'image_urls') {
      if (typeof value === 'string') {
        urls.push(value);
        order.push('url');
      } else {
        files.push(await uploadFrom(value));
        order.push('file');
      }
      continue;
    }
    if (typeof value !== 'string')
      throw invalid(`Field "${name}" must be text; only image_urls may carry files.`);
    if (name in fields) throw invalid(`Field "${name}" was sent more than once.`);
    fields[name] = coerceText(name, value);
  }
  if (urls.length > 0) fields.image_urls = urls;
  return { fields, files, order };
}

/** Multipart carries text only: give numbers and booleans back their types so the schema can judge them. */
function coerceText(name: string, value: string): unknown {
  switch (name) {
    case 'num_images':
    case 'n':
    case 'seed':
      if (name === 'seed' && (value === '' || value === 'null')) return null;
      return /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
    case 'enable_prompt_expansion':
    case 'enable_safety_checker':
    case 'sync_mode':
      return value === 'true' ? true : value === 'false' ? false : value;
    default:
      return value;
  }
}

async function uploadFrom(file: File): Promise<Upload> {
  const bytes = Buffer.from(await file.arrayBuffer());
  if (bytes.length === 0) throw invalid(`Reference file "${file.name}" is empty.`);
  if (bytes.length > LIMITS.referenceBytes) {
    throw invalid(`Reference file "${file.name}" is larger than ${LIMITS.referenceBytes / 1024 / 1024} MB.`);
  }
  const sniffed = sniffImageType(bytes);
  if (!sniffed) {
    throw invalid(`Reference file "${file.name}" is not an image (PNG, JPEG, WebP, GIF or BMP expected).`);
  }
  return {
    fileName: file.name || 'reference',
    contentType: file.type || sniffed,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes,
  };
}

/** The image type told by the first bytes, or null when they are not an image's. */
export function sniffImageType(bytes: Buffer): string | null {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (starts([0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  if (starts([0x42, 0x4d])) return 'image/bmp';
  return null;
}

function checkFields(raw: RawFields, model: Model): CreateRequest {
  const fields = { ...raw.fields };
  let syncMode: boolean | undefined;
  if (model === 'qwen/qwen-image-2-pro' && 'sync_mode' in fields) {
    if (typeof fields.sync_mode !== 'boolean') throw invalid('sync_mode: must be true or false');
    syncMode = fields.sync_mode;
    delete fields.sync_mode;
  }
  if (model === 'qwen/qwen-image') {
    const unsupported = NOT_ON_QWEN_IMAGE.filter((name) => name in fields);
    if (unsupported.length > 0) {
      throw invalid(
        `${model} does not accept ${unsupported.join(', ')}; remove them or use qwen/qwen-image-2.`,
      );
    }
  }
  const parsed = serviceInputSchema.safeParse(fields);
  if (!parsed.success) throw invalid(z.prettifyError(parsed.error));
  const input = parsed.data;

  const urls = input.image_urls ?? [];
  if (urls.length + raw.files.length > LIMITS.references) {
    throw invalid(
      `image_urls: at most ${LIMITS.references} reference images (got ${urls.length + raw.files.length}, files included)`,
    );
  }
  const references: Reference[] = [];
  const order = raw.order ?? urls.map(() => 'url' as const);
  let nextUrl = 0;
  let nextFile = 0;
  for (const kind of order) {
    if (kind === 'url') references.push({ kind: 'url', url: urls[nextUrl++]! });
    else references.push({ kind: 'file', upload: raw.files[nextFile++]! });
  }
  return syncMode === undefined ? { input, references } : { input, references, syncMode };
}

function invalid(message: string): ApiError {
  return new ApiError(400, 'INVALID_INPUT', message);
}
