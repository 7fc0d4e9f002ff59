// The words and page of the window a one-time catalog update shows (updating-window.ts): static, no script,
// no remote content, its own policy.

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The window's words, in Chinese where the system is, else in English. */
export function updatingWords(locale: string): { title: string; body: string } {
  return locale.toLowerCase().startsWith('zh')
    ? {
        title: '正在更新图库',
        body: 'Qwen Studio 正在将你的图库升级到此版本。只需一次；一百万张图片的图库大约需要一分钟。',
      }
    : {
        title: 'Updating the library',
        body: 'Qwen Studio is bringing your library up to this version. This happens once; a library of a million images takes about a minute.',
      };
}

/** The page, as a data URL: the words, light or dark as the system is, and nothing else. */
export function updatingPage(locale: string): string {
  const w = updatingWords(locale);
  const html = `<!doctype html><html lang="${locale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en'}"><head>
<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escape(w.title)}</title><style>
:root { color-scheme: light dark; font: 14px/1.5 system-ui, sans-serif; }
body { margin: 0; padding: 24px 28px; }
h1 { font-size: 15px; margin: 0 0 8px; }
p { margin: 0; opacity: .8; }
</style></head><body><h1>${escape(w.title)}</h1><p>${escape(w.body)}</p></body></html>`;
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}
