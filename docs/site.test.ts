import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The docs site in a real browser: builds the site (or reuses a build newer than every input),
 * serves docs/.vitepress/dist on 127.0.0.1, and drives Debian's Chromium with playwright-core
 * (never a downloaded browser): every page loads without console errors, every internal link
 * and anchor resolves, local search finds "SARE", and screenshots of the home and results pages
 * are written to tmp/artifacts/.
 */
const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(import.meta.dirname, '.vitepress', 'dist');
const artifacts = path.join(root, 'tmp', 'artifacts');
const executablePath = process.env['SCORE_CHROMIUM'] ?? '/usr/bin/chromium';

/** Newest modification time (ms) of the files under `dir` that `keep` accepts. */
function newest(dir: string, keep: (file: string) => boolean): number {
  let latest = 0;
  if (!fs.existsSync(dir)) return latest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['node_modules', 'dist', 'cache', 'api', 'guide', 'examples', 'reference', 'generated'].includes(entry.name) && dir.startsWith(path.join(root, 'docs'))) continue;
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      latest = Math.max(latest, newest(file, keep));
    } else if (keep(file)) latest = Math.max(latest, fs.statSync(file).mtimeMs);
  }
  return latest;
}

/** True when dist/ is newer than the site's inputs (pages, config, READMEs, examples, sources). */
function buildIsFresh(): boolean {
  const index = path.join(dist, 'index.html');
  if (!fs.existsSync(index)) return false;
  const built = fs.statSync(index).mtimeMs;
  const inputs = Math.max(
    newest(path.join(root, 'docs'), (file) => /\.(md|mts|svg|json)$/.test(file) && !file.includes(`${path.sep}results.md`)),
    newest(path.join(root, 'libs'), (file) => /(README\.md|src\/.*\.ts)$/.test(file)),
    newest(path.join(root, 'apps'), (file) => /(README\.md|src\/.*\.ts)$/.test(file)),
    newest(path.join(root, 'examples', 'src'), (file) => file.endsWith('.ts')),
    ...['docs-generate.mjs', 'docs-typedoc.json', 'typedoc-score-tag.mjs'].map((file) => fs.statSync(path.join(root, 'tools', 'scripts', file)).mtimeMs),
    fs.statSync(path.join(root, 'apps', 'inference', 'openapi.json')).mtimeMs,
  );
  return built > inputs;
}

/** The site's HTML files as URL paths (clean URLs: `guide/metrics.html` is `/guide/metrics`). */
function sitePages(): string[] {
  const pages: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.html') && entry.name !== '404.html') {
        const relative = path.relative(dist, file).replaceAll(path.sep, '/');
        pages.push(`/${relative.replace(/(^|\/)index\.html$/, '$1').replace(/\.html$/, '')}`);
      }
    }
  };
  walk(dist);
  return pages.sort();
}

/** The file a URL path is served from, or undefined. */
function fileFor(urlPath: string): string | undefined {
  const clean = decodeURIComponent(urlPath).replace(/^\/+/, '');
  const candidates = [clean, `${clean}.html`, path.join(clean, 'index.html')];
  for (const candidate of candidates) {
    const file = path.join(dist, candidate);
    if (file.startsWith(dist) && fs.existsSync(file) && fs.statSync(file).isFile()) return file;
  }
  return undefined;
}

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png', '.woff2': 'font/woff2' };
let server: http.Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(executablePath)) {
    throw new Error(
      `Chromium is not installed at ${executablePath}. Install Debian's: apt-get update && apt-get install -y chromium (or set SCORE_CHROMIUM to another Chromium binary). The browser is never downloaded by playwright.`,
    );
  }
  if (!buildIsFresh()) {
    const started = performance.now();
    const build = spawnSync('npm', ['run', 'docs:build'], { cwd: root, encoding: 'utf8', timeout: 400_000 });
    if (build.status !== 0) throw new Error(`npm run docs:build failed (exit ${build.status}):\n${build.stdout.slice(-4000)}\n${build.stderr.slice(-4000)}`);
    console.log(`docs:build: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const file = fileFor(url.pathname);
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/html' }).end(fs.readFileSync(path.join(dist, '404.html')));
      return;
    }
    response.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

describe('docs site in Chromium', () => {
  it('loads every page without console errors, and every internal link and anchor resolves', async () => {
    const pages = sitePages();
    expect(pages).toEqual(expect.arrayContaining(['/', '/quick-start', '/concepts', '/results', '/config', '/reference/cli', '/reference/http-api', '/guide/', '/examples/', '/api/', '/method', '/scale-out']));
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    let current = '';
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`${current}: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`${current}: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`${current}: HTTP ${response.status()} for ${response.url()}`);
    });
    // Prefetches of linked pages are aborted when the test moves on (net::ERR_ABORTED): not an error.
    page.on('requestfailed', (request) => {
      if (request.failure()?.errorText !== 'net::ERR_ABORTED') errors.push(`${current}: request failed ${request.url()} (${request.failure()?.errorText})`);
    });
    const links = new Map<string, string>(); // href -> a page that has it
    for (const pagePath of pages) {
      current = pagePath;
      const response = await page.goto(`${base}${pagePath}`, { waitUntil: 'load' });
      expect(response?.status(), pagePath).toBe(200);
      for (const href of await page.$$eval('a[href]', (anchors) => anchors.map((anchor) => (anchor as unknown as { href: string }).href))) {
        if (href.startsWith(base) && !links.has(href)) links.set(href, pagePath);
      }
    }
    await context.close();
    expect(errors).toEqual([]);

    const idsOf = new Map<string, Set<string>>();
    const broken: string[] = [];
    for (const [href, from] of links) {
      const url = new URL(href);
      const file = fileFor(url.pathname);
      if (!file) {
        broken.push(`${from} -> ${url.pathname} (no such page)`);
        continue;
      }
      if (!url.hash || url.hash === '#') continue;
      if (!idsOf.has(file)) idsOf.set(file, new Set([...fs.readFileSync(file, 'utf8').matchAll(/\sid="([^"]+)"/g)].map((match) => match[1])));
      const id = decodeURIComponent(url.hash.slice(1));
      if (!idsOf.get(file)!.has(id)) broken.push(`${from} -> ${url.pathname}${url.hash} (no such anchor)`);
    }
    expect(broken).toEqual([]);
    expect(links.size).toBeGreaterThan(50);
    console.log(`docs site: ${pages.length} pages loaded, ${links.size} internal links checked`);
  });

  it('finds "SARE" with the local search, and screenshots the home and results pages', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/`, { waitUntil: 'load' });
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'docs-home.png'), fullPage: true });
    await page.click('button.DocSearch-Button');
    await page.fill('#localsearch-input', 'SARE');
    const results = page.locator('#localsearch-list .result');
    await results.first().waitFor({ timeout: 20_000 });
    const titles = await results.allTextContents();
    expect(titles.length).toBeGreaterThan(0);
    expect(titles.some((title) => /SARE/i.test(title))).toBe(true);
    await page.goto(`${base}/results`, { waitUntil: 'load' });
    expect(await page.locator('table').first().textContent()).toContain('SCoRe (CAR + SARE)');
    await page.screenshot({ path: path.join(artifacts, 'docs-results.png'), fullPage: true });
    for (const file of ['docs-home.png', 'docs-results.png']) expect(fs.statSync(path.join(artifacts, file)).size).toBeGreaterThan(10_000);
    await page.close();
  });

  it('renders the HTTP API page from openapi.json, and TSDoc comments that name @score whole', async () => {
    const page = await browser.newPage();
    const openapi = JSON.parse(fs.readFileSync(path.join(root, 'apps', 'inference', 'openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, { summary: string }>>;
      components: { schemas: Record<string, unknown> };
    };
    await page.goto(`${base}/reference/http-api`, { waitUntil: 'load' });
    const headings = await page.locator('.vp-doc h3').allTextContents();
    const operations = Object.entries(openapi.paths).flatMap(([route, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${route}`));
    expect(operations.length).toBeGreaterThanOrEqual(10);
    const text = (await page.locator('.vp-doc').textContent()) ?? '';
    for (const operation of operations) expect(headings.some((heading) => heading.startsWith(operation)), operation).toBe(true);
    for (const [route, methods] of Object.entries(openapi.paths)) for (const operation of Object.values(methods)) expect(text, route).toContain(operation.summary);
    for (const schema of Object.keys(openapi.components.schemas)) expect(headings.some((heading) => heading.startsWith(schema)), schema).toBe(true);
    // TSDoc reads "@score " as a block tag; tools/scripts/typedoc-score-tag.mjs keeps such text whole.
    // TypeDoc names a package's page after its entry point: api/core/src.html (or index.html).
    const corePage = fs.existsSync(path.join(dist, 'api', 'core', 'index.html')) ? '/api/core/' : '/api/core/src';
    await page.goto(`${base}${corePage}`, { waitUntil: 'load' });
    const api = ((await page.locator('.vp-doc').textContent()) ?? '').replace(/\s+/g, ' ');
    expect(api).toContain(
      'Every implementation in @score (the in-process model of @score/rec-lm, the llama.cpp and OpenAI-compatible clients of @score/llm-clients) applies these defaults.',
    );
    expect(api).toContain('The one error base class of @score. Every error thrown on purpose by a @score package is a');
    await page.close();
  });
});
