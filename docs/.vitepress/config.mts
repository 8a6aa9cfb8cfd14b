// The docs site (VitePress). `npm run docs:build` first runs tools/scripts/docs-generate.mjs, which
// writes the generated pages (package guides, examples, CLI and HTTP references, results, API).
import fs from 'node:fs';
import path from 'node:path';
import { defineConfig, type DefaultTheme } from 'vitepress';

const docsDir = path.resolve(import.meta.dirname, '..');

/** Sidebar entries for the generated pages of a folder (empty until docs:generate has run). */
function pagesOf(folder: string, title: (slug: string) => string): DefaultTheme.SidebarItem[] {
  const dir = path.join(docsDir, folder);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.md') && file !== 'index.md')
    .sort()
    .map((file) => ({ text: title(file.replace(/\.md$/, '')), link: `/${folder}/${file.replace(/\.md$/, '')}` }));
}

/** API reference sidebar: one entry per package folder TypeDoc wrote. */
function apiPackages(): DefaultTheme.SidebarItem[] {
  const dir = path.join(docsDir, 'api');
  if (!fs.existsSync(dir)) return [];
  // TypeDoc writes a package's page as index.md, or as src.md (named after the entry point src/index.ts).
  const page = (name: string) => ['index', 'src'].find((file) => fs.existsSync(path.join(dir, name, `${file}.md`)));
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && page(entry.name) !== undefined)
    .map((entry) => ({ text: `@score/${entry.name}`, link: page(entry.name) === 'index' ? `/api/${entry.name}/` : `/api/${entry.name}/src` }));
}

export default defineConfig({
  title: '@score',
  description: 'Make LLMs better recommenders with natural-language collaborative signals (SCoRe).',
  lang: 'en-GB',
  cleanUrls: true,
  lastUpdated: false,
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  // Raw HTML in the markdown is shown as text: the pages name placeholders such as <HistoryList>.
  markdown: {
    html: false,
    math: true,
    // GitHub's heading ids, so links written for GitHub (README.md#some-heading) work here too.
    anchor: { slugify: (text: string) => text.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-') },
    config(md) {
      // Vue would read {{...}} in text and inline code as interpolation: write the braces as entities.
      const escapeBraces = (html: string) => html.replaceAll('{{', '&#123;&#123;').replaceAll('}}', '&#125;&#125;');
      for (const rule of ['text', 'code_inline'] as const) {
        const original = md.renderer.rules[rule]!;
        md.renderer.rules[rule] = (tokens, idx, options, env, self) => escapeBraces(original(tokens, idx, options, env, self));
      }
      // Marker comments (README sync, demo table) are not content: drop them before parsing.
      md.core.ruler.before('normalize', 'drop-html-comments', (state) => {
        state.src = state.src.replace(/^<!--[\s\S]*?-->[ \t]*\n?/gm, '');
      });
    },
  },
  srcExclude: ['results/**', '**/README.md'],
  themeConfig: {
    search: { provider: 'local' },
    outline: [2, 3],
    nav: [
      { text: 'Quick start', link: '/quick-start' },
      { text: 'Concepts', link: '/concepts' },
      { text: 'Guides', link: '/guide/' },
      { text: 'Examples', link: '/examples/' },
      { text: 'Reference', items: [
        { text: 'Configuration', link: '/config' },
        { text: 'CLI', link: '/reference/cli' },
        { text: 'HTTP API', link: '/reference/http-api' },
        { text: 'API (TypeDoc)', link: '/api/' },
      ] },
      { text: 'Results', link: '/results' },
    ],
    sidebar: {
      '/api/': [{ text: 'API reference', link: '/api/', items: apiPackages() }],
      '/': [
        { text: 'Start', items: [
          { text: 'Quick start', link: '/quick-start' },
          { text: 'Concepts', link: '/concepts' },
          { text: 'The method', link: '/method' },
          { text: 'Results', link: '/results' },
        ] },
        { text: 'Package guides', link: '/guide/', collapsed: false, items: pagesOf('guide', (slug) => `@score/${slug}`) },
        { text: 'Examples', link: '/examples/', collapsed: true, items: pagesOf('examples', (slug) => slug) },
        { text: 'Reference', items: [
          { text: 'Configuration', link: '/config' },
          { text: 'CLI', link: '/reference/cli' },
          { text: 'HTTP API', link: '/reference/http-api' },
          { text: 'API (TypeDoc)', link: '/api/' },
        ] },
        { text: 'Operations', items: [
          { text: 'Serving and scale-out', link: '/scale-out' },
          { text: 'Contributing', link: '/contributing' },
        ] },
      ],
    },
  },
});
