// How the library holds up at scale: builds a synthetic library of n assets through the real schema and
// triggers (realistic English and Chinese prompts, tags, batches, collections, two years of dates), then
// times opening it, searching it, filtering it and counting matches.
//
//   npm run bench -- library --assets 1000000 [--keep <dir>]
//
// With --keep the data folder stays (studio.db plus a few real image files every asset points at), so the
// CLI (`--data-dir <dir>`) and the app can be tried on it; `--measure <dir>` times such a folder again.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { mulberry32 } from '../../shared/prng.ts';
import { Library } from '../../main/engine/library/library.ts';
import { withSearchTriggersDeferred } from '../../main/engine/search/search-text.ts';
import { runBulkUpdate } from '../../main/engine/services/bulk.ts';
import { openDatabase, type DB } from '../../main/engine/store/db.ts';

// ── vocabulary ───────────────────────────────────────────────────────────────────────────────────────

const EN_SUBJECT = (
  'cat dog fox owl dragon robot astronaut samurai knight princess wizard city castle forest mountain ocean ' +
  'lighthouse village temple garden car motorcycle train ship spaceship bicycle cafe library market street ' +
  'bridge river waterfall desert island volcano glacier canyon meadow portrait woman man child girl boy elder ' +
  'warrior dancer musician chef tiger lion wolf bear deer horse whale dolphin butterfly phoenix unicorn koi ' +
  'crane panda rabbit teapot bonsai lantern umbrella violin clocktower greenhouse submarine airship kitten ' +
  'puppy sneaker perfume bottle wristwatch headphones handbag cupcake ramen sushi dumplings croissant'
).split(' ');
const EN_ADJ = (
  'red blue green golden silver crimson misty ancient futuristic cozy abandoned glowing neon vintage minimalist ' +
  'surreal dreamy dark bright colorful pastel majestic tiny giant snowy rainy foggy sunny autumn spring winter ' +
  'summer serene chaotic ornate rustic elegant mysterious whimsical epic luminous weathered crystalline'
).split(' ');
const EN_STYLE = (
  'watercolor|oil painting|photorealistic|cinematic|anime|pixel art|ukiyo-e|low poly|isometric|' +
  'pencil sketch|charcoal|impressionist|cyberpunk|steampunk|art nouveau|baroque|film noir|' +
  'vaporwave|3d render|claymation|product photography|studio portrait'
).split('|');
const EN_LIGHT = (
  'golden hour|soft light|dramatic lighting|volumetric fog|rim light|moonlight|candlelight|' +
  'neon glow|overcast sky|sunset|sunrise|blue hour|backlit|studio lighting'
).split('|');
const EN_EXTRA = (
  'highly detailed|8k|sharp focus|wide angle|close-up|bokeh|depth of field|award winning|' +
  'intricate details|symmetrical composition|rule of thirds|long exposure|octane render|matte'
).split('|');
const ZH_SUBJECT = (
  '猫 狗 狐狸 猫头鹰 龙 机器人 宇航员 武士 骑士 公主 巫师 城市 城堡 森林 山峰 大海 灯塔 村庄 寺庙 花园 汽车 摩托车 火车 ' +
  '轮船 飞船 自行车 咖啡馆 图书馆 集市 街道 小桥 河流 瀑布 沙漠 岛屿 火山 冰川 峡谷 草原 肖像 女孩 男孩 老人 战士 舞者 ' +
  '厨师 老虎 狮子 狼 熊猫 兔子 锦鲤 仙鹤 凤凰 麒麟 茶馆 古镇 长城 竹林 荷花 梅花 樱花 灯笼 油纸伞 旗袍 汉服 小猫 夜景'
).split(' ');
const ZH_ADJ = (
  '红色 蓝色 绿色 金色 银色 古老 未来 温馨 废弃 发光 复古 极简 梦幻 黑暗 明亮 多彩 柔和 雄伟 微小 巨大 雪白 雨中 ' +
  '雾气 阳光 秋天 春天 冬天 夏天 宁静 华丽 神秘 史诗 可爱 安静'
).split(' ');
const ZH_STYLE =
  '水彩 油画 写实 电影感 动漫 像素风 浮世绘 国画 水墨画 素描 赛博朋克 蒸汽朋克 工笔画 剪纸 三维渲染 插画 产品摄影'.split(
    ' ',
  );
const ZH_EXTRA =
  '高清 细节丰富 光影 景深 广角 特写 黄昏 日出 月光 烛光 霓虹灯 逆光 柔光 电影级 构图 超现实'.split(' ');
const NEGATIVES = (
  'blurry, low quality, watermark|text, signature, jpeg artifacts|extra fingers, deformed hands|' +
  'oversaturated, noisy|模糊, 低质量, 水印|文字, 签名, 变形'
).split('|');
const TAGS_EN = (
  'portrait landscape product concept character architecture food animal fantasy scifi draft final client ' +
  'favorite-set moodboard poster cover banner wallpaper icon logo-idea storyboard sketch reference print ' +
  'instagram web hero thumbnail ad-campaign spring-sale summer-sale winter-sale review approved'
).split(' ');
const TAGS_ZH =
  '人像 风景 产品 概念 角色 建筑 美食 动物 奇幻 科幻 草稿 定稿 客户 海报 封面 壁纸 参考 电商 主图 详情页'.split(
    ' ',
  );
const BATCH_EN =
  'Spring campaign|Product shots|Character sheet|Moodboard|Poster ideas|Client review|Summer set'.split('|');
const BATCH_ZH = ['春季活动', '产品图', '角色设定', '海报方案', '电商主图', '客户审稿'];
// prettier-ignore
const RATIOS: [string, number][] = [['1:1', 35], ['16:9', 20], ['9:16', 15], ['4:3', 8], ['3:4', 8], ['3:2', 7], ['2:3', 7]];
const FORMATS: [string, number][] = [
  ['png', 50],
  ['jpeg', 30],
  ['webp', 20],
];
// prettier-ignore
const MODELS: [string, number][] = [['qwen/qwen-image-2', 60], ['qwen/qwen-image-2-pro', 30], ['qwen/qwen-image', 10]];
// prettier-ignore
const RATINGS: [number, number][] = [[0, 70], [1, 3], [2, 5], [3, 9], [4, 8], [5, 5]];

type Rand = () => number;
/** Skewed toward the front of the list, as real vocabularies are (a few words are everywhere). */
const pick = <T>(r: Rand, a: readonly T[]): T => a[Math.floor(r() * r() * a.length)]!;
function weighted<T>(r: Rand, table: readonly [T, number][]): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table[0]![0];
}

function englishPrompt(r: Rand): string {
  const parts = [`a ${pick(r, EN_ADJ)} ${pick(r, EN_SUBJECT)}`];
  if (r() < 0.5) parts.push(`with a ${pick(r, EN_ADJ)} ${pick(r, EN_SUBJECT)}`);
  if (r() < 0.6) parts.push(`in ${pick(r, EN_STYLE)} style`);
  parts.push(pick(r, EN_LIGHT));
  if (r() < 0.7) parts.push(pick(r, EN_EXTRA));
  if (r() < 0.4) parts.push(pick(r, EN_EXTRA));
  return parts.join(', ');
}
function chinesePrompt(r: Rand): string {
  let s = `一只${pick(r, ZH_ADJ)}的${pick(r, ZH_SUBJECT)}`;
  if (r() < 0.5) s += `在${pick(r, ZH_SUBJECT)}旁边`;
  s += `，${pick(r, ZH_STYLE)}风格，${pick(r, ZH_EXTRA)}`;
  if (r() < 0.5) s += `，${pick(r, ZH_EXTRA)}`;
  return s;
}
function prompt(r: Rand): string {
  const k = r();
  if (k < 0.6) return englishPrompt(r);
  if (k < 0.9) return chinesePrompt(r);
  return `${pick(r, ZH_ADJ)}的${pick(r, ZH_SUBJECT)}, ${pick(r, EN_STYLE)} style, ${pick(r, EN_LIGHT)}, ${pick(r, ZH_EXTRA)}`;
}
const hex = (r: Rand) =>
  Array.from({ length: 8 }, () => ((r() * 2 ** 32) >>> 0).toString(16).padStart(8, '0')).join('');

// ── build ────────────────────────────────────────────────────────────────────────────────────────────

const DAY = 86_400_000;
const SPAN = 730 * DAY;
const ROWS_PER_TX = 100_000;
const BATCH_SIZE = 200;

/** A few real images (one per ratio and format), shared by every asset so the app can show something. */
async function sampleImages(
  dir: string,
): Promise<Map<string, { path: string; bytes: number; width: number; height: number }>> {
  mkdirSync(dir, { recursive: true });
  const out = new Map<string, { path: string; bytes: number; width: number; height: number }>();
  let hue = 0;
  for (const [ratio] of RATIOS) {
    const [w, h] = ratio.split(':').map(Number) as [number, number];
    const scale = Math.sqrt((256 * 256) / (w * h));
    const width = Math.round(w * scale);
    const height = Math.round(h * scale);
    for (const [format] of FORMATS) {
      hue = (hue + 47) % 360;
      const path = join(dir, `sample-${ratio.replace(':', 'x')}.${format === 'jpeg' ? 'jpg' : format}`);
      const rgb = hslToRgb(hue / 360, 0.5, 0.55);
      const img = sharp({ create: { width, height, channels: 3, background: rgb } });
      await (format === 'png' ? img.png() : format === 'jpeg' ? img.jpeg() : img.webp()).toFile(path);
      out.set(`${ratio}|${format}`, { path, bytes: statSync(path).size, width, height });
    }
  }
  return out;
}
function hslToRgb(h: number, s: number, l: number): { r: number; g: number; b: number } {
  const f = (n: number) => {
    const k = (n + h * 12) % 12;
    return Math.round(255 * (l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return { r: f(0), g: f(8), b: f(4) };
}

export async function build(db: DB, n: number, dataDir: string): Promise<void> {
  const r = mulberry32(20261101);
  const images = await sampleImages(join(dataDir, 'library', 'bench'));
  const tags = [...TAGS_EN, ...TAGS_ZH];
  // A few hundred tags: the named ones plus numbered project tags.
  for (let i = 1; tags.length < 300; i++) tags.push(i % 2 ? `project-${i}` : `项目${i}`);
  const collections = Array.from({ length: 20 }, (_, i) =>
    i % 3 === 2 ? `精选 ${i + 1}` : `Best of ${i + 1}`,
  );
  const now = Date.now();
  const firstMs = now - SPAN;
  db.transaction(() => {
    const t = db.prepare('INSERT INTO tags (id, name, created_at) VALUES (?, ?, ?)');
    tags.forEach((name, i) => t.run(i + 1, name, firstMs));
    const c = db.prepare('INSERT INTO collections (id, name, created_at) VALUES (?, ?, ?)');
    collections.forEach((name, i) => c.run(i + 1, name, firstMs));
  })();
  const insBatch = db.prepare(
    `INSERT INTO batches (id, name, model, spec_json, total_jobs, total_images, credits_per_image, status, created_at, finished_at)
     VALUES (?, ?, ?, ?, ?, ?, 20, 'done', ?, ?)`,
  );
  const insAsset = db.prepare(
    `INSERT INTO assets (job_id, batch_id, idx, sha256, file_sha256, path, bytes, width, height, format, prompt, created_at,
       source, model, negative_prompt, actual_prompt, aspect_ratio, seed, credits, params_json, favorite, rating, rejected, notes)
     VALUES (NULL, @batch, @idx, @sha, @sha, @path, @bytes, @width, @height, @format, @prompt, @at,
       @source, @model, @negative, @actual, @ratio, @seed, 20, @params, @fav, @rating, @rejected, @notes)
     RETURNING id`,
  );
  // The rows go in with the search-index triggers standing aside (as a bulk writer's do), in large
  // transactions; the index and the tag counts are then built once, set-based, at the end.
  const insTag = db.prepare('INSERT OR IGNORE INTO asset_tags (asset_id, tag_id) VALUES (?, ?)');
  const insCol = db.prepare(
    'INSERT OR IGNORE INTO collection_assets (collection_id, asset_id, added_at) VALUES (?, ?, ?)',
  );
  const batches = Math.max(1, Math.ceil(n / BATCH_SIZE));
  let made = 0;
  let batch = 0;
  let batchLeft = 0;
  let batchAt = firstMs;
  let batchModel = MODELS[0]![0];
  let last = { sha: '', path: '', bytes: 0 };
  while (made < n) {
    const end = Math.min(n, made + ROWS_PER_TX);
    db.transaction(() =>
      withSearchTriggersDeferred(db, () => {
        for (; made < end; made++) {
          if (batchLeft === 0) {
            batch++;
            batchLeft = Math.min(BATCH_SIZE, n - made);
            // Batches spread evenly over two years, each run over a few minutes.
            batchAt = firstMs + Math.floor(((batch - 1) / batches) * SPAN);
            batchModel = weighted(r, MODELS);
            const zh = r() < 0.35;
            const name = `${zh ? pick(r, BATCH_ZH) : pick(r, BATCH_EN)} ${batch}`;
            const spec = {
              name,
              model: batchModel,
              entries: [],
              params: {},
              refs: [],
              seed: { mode: 'random' },
              repeat: 1,
            };
            insBatch.run(
              batch,
              name,
              batchModel,
              JSON.stringify(spec),
              batchLeft,
              batchLeft,
              batchAt,
              batchAt + 600_000,
            );
          }
          const imported = r() < 0.03;
          const ratio = weighted(r, RATIOS);
          const format = weighted(r, FORMATS);
          const img = images.get(`${ratio}|${format}`)!;
          // One image in 200 repeats the previous bytes (what the downloader's reuse produces).
          const dup = made > 0 && r() < 0.005;
          const file = dup
            ? last
            : { sha: hex(r), path: img.path, bytes: 150_000 + Math.floor(r() * 2_500_000) };
          last = file;
          const p = prompt(r);
          const seed = Math.floor(r() * 2_147_483_647);
          const id = (
            insAsset.get({
              batch: imported ? null : batch,
              idx: imported ? 0 : BATCH_SIZE - batchLeft,
              sha: file.sha,
              path: file.path,
              bytes: file.bytes,
              width: img.width * 4,
              height: img.height * 4,
              format,
              prompt: p,
              // Imported images carry their own (older) dates, so ids and dates disagree now and then.
              at: imported
                ? firstMs + Math.floor(r() * (batchAt - firstMs + 1))
                : batchAt + (BATCH_SIZE - batchLeft) * 3000,
              source: imported ? 'imported' : 'generated',
              model: imported ? null : batchModel,
              negative: r() < 0.4 ? pick(r, NEGATIVES) : null,
              actual: r() < 0.3 ? `${p}, ${pick(r, EN_EXTRA)}, ${pick(r, EN_LIGHT)}` : null,
              ratio: imported ? null : ratio,
              seed: imported ? null : seed,
              params: imported ? null : JSON.stringify({ aspect_ratio: ratio, seed, output_format: format }),
              fav: r() < 0.05 ? 1 : 0,
              rating: weighted(r, RATINGS),
              rejected: r() < 0.03 ? 1 : 0,
              notes: r() < 0.02 ? (r() < 0.5 ? 'use for the homepage' : '客户喜欢这张') : null,
            }) as { id: number }
          ).id;
          if (!imported) batchLeft--;
          const k = 1 + Math.floor(r() * 3);
          for (let j = 0; j < k; j++) insTag.run(id, 1 + Math.floor(r() * r() * tags.length));
          if (r() < 0.05) insCol.run(1 + Math.floor(r() * collections.length), id, batchAt);
        }
      }),
    )();
  }
  db.transaction(() => {
    db.exec(`INSERT INTO asset_search (rowid, ${FTS_COLUMNS})
      SELECT sort_key, ${FTS_COLUMNS} FROM asset_search_source WHERE deleted_at IS NULL`);
    db.exec('UPDATE tags SET uses = (SELECT count(*) FROM asset_tags x WHERE x.tag_id = tags.id)');
  })();
}

const FTS_COLUMNS = 'prompt, negative, actual, tags, notes, batch, chars, meta';

// ── measure ──────────────────────────────────────────────────────────────────────────────────────────

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/** What the query mixes need to know about a library (read back, so a kept library can be re-measured). */
interface MixInfo {
  year: number;
  batches: number;
  tags: string[];
}

function mixInfo(db: DB): MixInfo {
  const span = db.prepare('SELECT min(created_at) AS lo, max(created_at) AS hi FROM assets').get() as {
    lo: number;
    hi: number;
  };
  return {
    year: new Date((span.lo + span.hi) / 2).getFullYear(),
    batches: (db.prepare('SELECT max(id) FROM batches').pluck().get() as number | null) ?? 1,
    tags: db.prepare('SELECT name FROM tags ORDER BY id').pluck().all() as string[],
  };
}

/** ≥ 50 searches: English words and phrases, 1-, 2- and 4-character Chinese, excludes, tags, filters. */
function searchMix(b: MixInfo): { text: string; sort: 'newest' | 'relevance' }[] {
  // prettier-ignore
  const texts = [
    'cat', 'dragon', 'portrait', 'golden', 'neon', 'red', 'city', 'lighthouse', 'samurai', 'cupcake',
    '"golden hour"', '"highly detailed"', '"oil painting"', '"a misty forest"', 'red car', 'astronaut cat',
    '红色', '水彩', '城市', '夜景', '灯笼', '汉服', '小猫',
    '猫', '龙', '花',
    '赛博朋克', '细节丰富', '电影感', '水墨画', '一只可爱的',
    'cat -dog', 'dragon -"oil painting"', '城市 -夜晚', 'portrait -blurry', 'watercolor -rejected',
    'tag:portrait', 'tag:人像', 'tag:landscape cat', 'tag:海报 红色', 'tag:draft -tag:approved',
    'dragon fav', '红色 rating>=4', 'portrait ar:9:16 format:png', `cat after:${b.year}-01-01 before:${b.year}-07-01`,
    'batch:summer', 'city 夜景', 'collection:best 猫', 'neon format:webp -rejected', 'model:pro 水彩',
    'sunset seed:123', 'source:imported portrait', '"studio portrait" rating>=3 fav',
  ];
  const mix = texts.map((text) => ({ text, sort: 'newest' as const }));
  // prettier-ignore
  const ranked = ['cat', 'golden hour', '红色', '猫', 'dragon fav', '赛博朋克 tag:海报', 'a', 'portrait -blurry', '水彩 风格', 'red car'];
  return [...mix, ...ranked.map((text) => ({ text, sort: 'relevance' as const }))];
}

/** Filters without text, each a page of 200 newest first. */
function filterMix(b: MixInfo): string[] {
  // prettier-ignore
  return [
    '', 'fav', '-fav', 'rejected', '-rejected', 'rating>=4', 'rating=0', 'rating<3', 'ar:16:9', 'ar:portrait',
    'format:webp', 'format:png ar:1:1', 'fav format:png ar:1:1', 'fav rating>=4', 'tag:portrait', 'tag:人像 tag:海报',
    `tag:${b.tags[150] ?? 'portrait'}`, '-tag:draft', 'batch:#7', `batch:#${b.batches}`, 'batch:summer', 'collection:#3',
    'collection:精选', 'source:imported', 'model:pro', `after:${b.year}-03-01 before:${b.year}-04-01`,
    `before:${b.year}-01-01`, `before:${b.year - 1}-06-01 fav`, 'on:2020-01-01', 'fav -rejected rating>=3 ar:16:9',
    'format:jpeg -tag:draft rating>=2',
  ];
}

/** Best-first pages: the whole library, then filters from narrow (a tag) to nearly everything (-rejected). */
const BEST_MIX = ['', 'tag:portrait', 'fav', 'cat', '红色', 'batch:#7', '-rejected'];

/** Opens a built library and times it, in a process of its own so the build's memory does not count. */
async function measure(
  dataDir: string,
  opts: { bulk: boolean; compare: boolean },
): Promise<Record<string, number>> {
  const dbPath = join(dataDir, 'studio.db');
  if (!existsSync(dbPath)) throw new Error(`No library at ${dbPath}.`);
  // Open: a new connection, the migrations check, and the first page with its total (what the app shows).
  let db!: DB;
  let lib!: Library;
  const openMs = time(() => {
    db = openDatabase(dbPath);
    lib = new Library(db, dataDir);
    lib.search('', { limit: 200 });
  });
  const info = mixInfo(db);

  // A search is the first page of 200 (what the grid shows first); the total ("N matching") is a
  // separate count, timed on its own and also together with the page.
  const mix = searchMix(info);
  for (const q of mix) lib.search(q.text, { sort: q.sort, limit: 200 }); // warm the page cache once
  const searchMs: number[] = [];
  const countMs: number[] = [];
  const bothMs: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (const q of mix) {
      searchMs.push(time(() => lib.search(q.text, { sort: q.sort, limit: 200, count: false })));
      countMs.push(time(() => lib.count(q.text)));
      bothMs.push(time(() => lib.search(q.text, { sort: q.sort, limit: 200 })));
    }
  }

  const filters = filterMix(info);
  const pageMs: number[] = [];
  for (const f of filters) lib.search(f, { limit: 200, count: false });
  for (let round = 0; round < 3; round++) {
    for (const f of filters) {
      pageMs.push(time(() => lib.search(f, { limit: 200, count: false })));
      // Deep pages: ten pages on through keyset paging.
      if (round > 0) continue;
      let next = lib.search(f, { limit: 200, count: false }).next;
      for (let p = 0; p < 10 && next !== null; p++) {
        let res!: ReturnType<Library['search']>;
        pageMs.push(time(() => (res = lib.search(f, { limit: 200, count: false, after: next }))));
        next = res.next;
      }
    }
  }
  // Best first ("pick the best" scores): the score index alone without filters; a filter sorts its matches.
  const bestMs: Record<string, number[]> = {};
  for (const f of BEST_MIX) {
    lib.search(f, { sort: 'best', limit: 200, count: false });
    bestMs[f] = [0, 1, 2].map(() => time(() => lib.search(f, { sort: 'best', limit: 200, count: false })));
  }
  const assets = lib.count('');
  // The library's size as built (before the bulk actions below add and merge index segments).
  const dbBytes = ['', '-wal'].reduce(
    (s, ext) => s + (existsSync(dbPath + ext) ? statSync(dbPath + ext).size : 0),
    0,
  );
  const bulk = opts.bulk ? await bulkTag(db, lib, opts.compare) : {};
  db.close();
  return {
    assets,
    open_ms: round(openMs),
    search_p50_ms: round(percentile(searchMs, 50)),
    search_p95_ms: round(percentile(searchMs, 95)),
    search_max_ms: round(Math.max(...searchMs)),
    search_with_total_p95_ms: round(percentile(bothMs, 95)),
    searches: mix.length,
    filter_page_p95_ms: round(percentile(pageMs, 95)),
    filter_pages: pageMs.length,
    count_ms: round(percentile(countMs, 95)),
    count_p50_ms: round(percentile(countMs, 50)),
    best_page_ms: round(percentile(bestMs['']!, 50)),
    best_filtered_p95_ms: round(
      percentile(
        BEST_MIX.slice(1).flatMap((f) => bestMs[f]!),
        95,
      ),
    ),
    best_filtered_max_ms: round(Math.max(...BEST_MIX.slice(1).flatMap((f) => bestMs[f]!))),
    db_mb: round(dbBytes / 2 ** 20, 1),
    rss_mb: round(process.memoryUsage().rss / 2 ** 20, 1),
    ...bulk,
  };
}

/**
 * "Tag all N matching" over the whole library, as the app and `qwen-studio tag` run it (chunk by chunk,
 * each a transaction), then the tag taken off again so a kept library stays as built. With `compare`, the
 * same links one by one through the per-row triggers, one transaction, for a set-based/row-by-row ratio in
 * one run on the same machine.
 */
async function bulkTag(db: DB, lib: Library, compare: boolean): Promise<Record<string, number>> {
  // Wall time, and this process's CPU time (what a busy machine inflates far less).
  const cpuS = (since: NodeJS.CpuUsage) => {
    const c = process.cpuUsage(since);
    return round((c.user + c.system) / 1e6, 2);
  };
  let t = performance.now();
  let c0 = process.cpuUsage();
  const tagged = await runBulkUpdate(lib, { query: '' }, { addTags: ['bench-bulk'] });
  const tagS = (performance.now() - t) / 1000;
  const tagCpu = cpuS(c0);
  const searchAfter: number[] = [];
  for (const q of ['cat', '红色', 'tag:bench-bulk fav', 'portrait -blurry'])
    searchAfter.push(time(() => lib.search(q, { limit: 200, count: false })));
  t = performance.now();
  await runBulkUpdate(lib, { query: '' }, { removeTags: ['bench-bulk'] });
  const untagS = (performance.now() - t) / 1000;
  const out: Record<string, number> = {
    bulk_tag_images: tagged.images,
    bulk_tag_all_s: round(tagS, 2),
    bulk_tag_all_cpu_s: tagCpu,
    bulk_untag_all_s: round(untagS, 2),
    search_after_bulk_max_ms: round(Math.max(...searchAfter)),
  };
  if (compare) {
    // Every link through the per-row triggers (since migration 010 they only count the tag's uses), 5,000
    // at a time, one transaction.
    const ids = lib.resolve({ query: '' });
    db.prepare("INSERT INTO tags (name, created_at) VALUES ('bench-rows', 0)").run();
    const tag = db.prepare("SELECT id FROM tags WHERE name = 'bench-rows'").pluck().get() as number;
    const link = db.prepare(
      'INSERT OR IGNORE INTO asset_tags (asset_id, tag_id) SELECT value, @tag FROM json_each(@ids)',
    );
    t = performance.now();
    c0 = process.cpuUsage();
    db.transaction(() => {
      for (let i = 0; i < ids.length; i += 5000)
        link.run({ tag, ids: JSON.stringify(ids.slice(i, i + 5000)) });
    })();
    out.bulk_tag_all_per_row_triggers_s = round((performance.now() - t) / 1000, 2);
    out.bulk_tag_all_per_row_triggers_cpu_s = cpuS(c0);
    await runBulkUpdate(lib, { query: '' }, { removeTags: ['bench-rows'] });
    db.prepare("DELETE FROM tags WHERE name = 'bench-rows'").run();
  }
  lib.maintain(2000);
  return out;
}

const BENCH_BIN = join(import.meta.dirname, '../../bin/bench.mjs');

function measureInChild(dataDir: string, extra: string[]): Promise<Record<string, number>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BENCH_BIN, 'library', '--measure', dataDir, ...extra], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{'))
        reject(new Error(`measuring ${dataDir} failed (exit ${code}): ${out}`));
      else {
        const { bench: _bench, ...figures } = JSON.parse(line) as Record<string, number>;
        resolvePromise(figures);
      }
    });
  });
}

export async function libraryBench(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      assets: { type: 'string' },
      keep: { type: 'string' },
      measure: { type: 'string' },
      'no-bulk': { type: 'boolean' },
      compare: { type: 'boolean' },
    },
    strict: true,
  });
  const bulk = { bulk: !values['no-bulk'], compare: Boolean(values.compare) };
  // `--measure <dir>` times an existing library without building one (and is how the build measures).
  if (values.measure) return measure(resolve(values.measure), bulk);
  const n = Number(values.assets ?? 100_000);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--assets must be a positive whole number, got ${values.assets}`);
  let dataDir: string;
  if (values.keep) {
    dataDir = resolve(values.keep);
    if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
      throw new Error(
        `--keep ${dataDir} is not empty; give a new or empty folder so no library is overwritten.`,
      );
    }
    mkdirSync(dataDir, { recursive: true });
  } else dataDir = mkdtempSync(join(tmpdir(), 'qs-library-bench-'));
  try {
    const db = openDatabase(join(dataDir, 'studio.db'));
    // A bulk load wants more page cache than the default 16 MB; the measurement runs with the default.
    db.pragma('cache_size = -262144');
    const t0 = performance.now();
    await build(db, n, dataDir);
    // What the app does when idle after a large import: merge the index's small segments.
    new Library(db, dataDir).maintain(2000);
    const buildSeconds = (performance.now() - t0) / 1000;
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const figures = await measureInChild(dataDir, [
      ...(bulk.bulk ? [] : ['--no-bulk']),
      ...(bulk.compare ? ['--compare'] : []),
    ]);
    const { assets, ...rest } = figures;
    return {
      assets,
      build_seconds: round(buildSeconds, 1),
      ...rest,
      build_peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
      ...(values.keep ? { kept: dataDir } : {}),
    };
  } finally {
    if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
  }
}
