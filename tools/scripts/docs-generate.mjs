#!/usr/bin/env node
/* global process, console, performance */
// Generates the docs site's derived pages before `vitepress build docs` (run through tsx, so it
// can import the apps' TypeScript sources): `npm run docs:generate`.
//
//   docs/guide/*.md          one page per package, from its README.md (links rewritten for the site)
//   docs/examples/*.md       one page per program in examples/src (the code CI runs)
//   docs/reference/cli.md    every command and option of score-train, score-serve and score-infer,
//                            walked from their commander programs
//   docs/reference/http-api.md  score-serve's HTTP API, rendered from its committed OpenAPI
//                            document (apps/inference/openapi.json)
//   docs/results.md          `score-train report --markdown` of docs/results/demo-metrics.json,
//                            plus bar charts (docs/public/generated/*.svg)
//   docs/api/**              the API reference, TypeDoc + typedoc-plugin-markdown (skip: --no-api)
//
// None of these files is committed (see docs/.gitignore): the build always regenerates them.
// The config reference is docs/config.md itself (committed; a trainer test checks it).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const docs = path.join(root, 'docs');
const withApi = !process.argv.includes('--no-api');

/** Writes a file through a temp name and a rename. */
function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

/** The packages with a README: `{ dir, name, title }`, libraries first. */
function packages() {
  const found = [];
  for (const group of ['libs', 'apps']) {
    for (const name of fs.readdirSync(path.join(root, group)).sort()) {
      const readme = path.join(root, group, name, 'README.md');
      if (!fs.existsSync(readme)) continue;
      const pkg = JSON.parse(fs.readFileSync(path.join(root, group, name, 'package.json'), 'utf8'));
      found.push({ dir: `${group}/${name}`, slug: name, packageName: pkg.name, description: pkg.description ?? '' });
    }
  }
  return found;
}

/**
 * Rewrites a README's relative links for the site: other packages' READMEs and folders become their
 * guide pages, docs/*.md become site pages, and links to other repository files become code spans
 * (the site serves no source files).
 */
function rewriteLinks(markdown, fromDir, slugs) {
  return markdown.replace(/(!?)\[([^\]]*)\]\(([^)\s]+)\)/g, (whole, bang, text, href) => {
    if (/^[a-z]+:/i.test(href) || href.startsWith('#') || href.startsWith('/')) return whole;
    const [target, anchor] = href.split('#');
    const resolved = path.relative(root, path.resolve(root, fromDir, target)).replaceAll(path.sep, '/');
    const hash = anchor ? `#${anchor}` : '';
    const pkg = /^(libs|apps)\/([^/]+)(\/README\.md|\/)?$/.exec(resolved);
    if (pkg && slugs.has(pkg[2])) return `${bang}[${text}](/guide/${pkg[2]}${hash})`;
    const page = /^docs\/([^/]+)\.md$/.exec(resolved);
    if (page) return `${bang}[${text}](/${page[1]}${hash})`;
    return text.includes('`') ? `${text} (\`${resolved}\`)` : text === resolved ? `\`${resolved}\`` : `${text} (\`${resolved}\`)`;
  });
}

function generateGuides() {
  const list = packages();
  const slugs = new Set(list.map((pkg) => pkg.slug));
  for (const pkg of list) {
    const readme = fs.readFileSync(path.join(root, pkg.dir, 'README.md'), 'utf8');
    const body = rewriteLinks(readme, pkg.dir, slugs);
    write(path.join(docs, 'guide', `${pkg.slug}.md`), `<!-- generated from ${pkg.dir}/README.md by tools/scripts/docs-generate.mjs -->\n${body}`);
  }
  const index = [
    '# Package guides',
    '',
    'One page per package, from its README. Each library is published on its own; the apps are the trainer (`score-train`) and the inference service (`score-serve`, `score-infer`).',
    '',
    '| Package | What it does |',
    '|---|---|',
    ...list.map((pkg) => `| [${pkg.packageName}](/guide/${pkg.slug}) | ${pkg.description.replaceAll('|', '\\|')} |`),
    '',
  ].join('\n');
  write(path.join(docs, 'guide', 'index.md'), index);
  return list;
}

function generateExamples() {
  const dir = path.join(root, 'examples', 'src');
  const files = fs.readdirSync(dir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts')).sort();
  const rows = [];
  for (const file of files) {
    const code = fs.readFileSync(path.join(dir, file), 'utf8');
    const header = [];
    for (const line of code.split('\n')) {
      if (!line.startsWith('//')) break;
      header.push(line.replace(/^\/\/ ?/, ''));
    }
    const slug = file.replace(/\.ts$/, '');
    const summary = header.join(' ');
    rows.push(`| [${slug}](/examples/${slug}) | ${summary.replaceAll('|', '\\|')} |`);
    write(
      path.join(docs, 'examples', `${slug}.md`),
      [
        `# ${slug}`,
        '',
        summary,
        '',
        `Source: \`examples/src/${file}\`; CI runs it (\`examples/src/examples.test.ts\`) and checks every line marked with a \`// expected\` comment. Run it yourself from the repository root:`,
        '',
        '```sh',
        `npx tsx --conditions=@score/source examples/src/${file}`,
        '```',
        '',
        '```ts',
        code.trimEnd(),
        '```',
        '',
      ].join('\n'),
    );
  }
  write(
    path.join(docs, 'examples', 'index.md'),
    [
      '# Examples',
      '',
      'Small, complete programs that import `@score/*` by package name, the way another team would. Each makes its own small data, and CI type-checks, runs and checks every one of them.',
      '',
      '| Example | What it shows |',
      '|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
  return files;
}

/** Markdown for one commander command and its subcommands. */
function commandMarkdown(command, prefix, depth) {
  const name = `${prefix}${command.name()}`;
  const lines = [`${'#'.repeat(Math.min(depth, 4))} ${name}`, ''];
  if (command.description()) lines.push(command.description(), '');
  lines.push('```text', command.helpInformation().trimEnd(), '```', '');
  const options = command.options.filter((option) => !option.hidden);
  if (options.length > 0) {
    lines.push('| Option | Description | Default |', '|---|---|---|');
    for (const option of options) {
      const choices = option.argChoices ? ` (one of: ${option.argChoices.join(', ')})` : '';
      const fallback = option.defaultValue === undefined ? '' : `\`${JSON.stringify(option.defaultValue)}\``;
      lines.push(`| \`${option.flags}\` | ${(option.description + choices).replaceAll('|', '\\|')} | ${fallback} |`);
    }
    lines.push('');
  }
  for (const sub of command.commands) lines.push(...commandMarkdown(sub, `${name} `, depth + 1));
  return lines;
}

async function generateCli() {
  const { createProgram } = await import('../../apps/trainer/src/program.ts');
  const { createServeProgram, createInferProgram } = await import('../../apps/inference/src/index.ts');
  const lines = [
    '# CLI reference',
    '',
    'Generated from the commander programs of `score-train` (apps/trainer) and `score-serve` / `score-infer` (apps/inference): every command, its help text and its options.',
    '',
  ];
  for (const program of [createProgram(), createServeProgram(), createInferProgram()]) lines.push(...commandMarkdown(program, '', 2));
  write(path.join(docs, 'reference', 'cli.md'), lines.join('\n'));
}

/** The `#/components/schemas/NAME` a `$ref` points at, as a link to its section on the page. */
function schemaLink(schema) {
  const name = schema?.$ref?.replace('#/components/schemas/', '');
  if (name) return `[${name}](#${slug(name)})`;
  if (schema?.type === 'array' && schema.items) return `array of ${schemaLink(schema.items)}`;
  return schema?.type ? `\`${schema.type}\`` : 'any';
}

/** The site's heading id of a heading text (GitHub's rule, as in docs/.vitepress/config.mts). */
const slug = (text) => text.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

/** Escapes a table cell (pipes and line breaks). */
const cell = (text) => String(text ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ');

/**
 * The HTTP API page, rendered from the committed OpenAPI document of score-serve
 * (apps/inference/openapi.json, which an inference test keeps equal to the generated one): every
 * operation with its parameters, body and responses, then every component schema.
 */
function generateHttpApi() {
  const source = 'apps/inference/openapi.json';
  const document = JSON.parse(fs.readFileSync(path.join(root, source), 'utf8'));
  const operations = [];
  for (const [route, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) operations.push({ route, method: method.toUpperCase(), operation });
  }
  const lines = [
    '# HTTP API',
    '',
    `${document.info.title}, API version ${document.info.version} (OpenAPI ${document.openapi}). This page is rendered from the OpenAPI document committed as \`${source}\`; a running server also serves it at \`GET /openapi.json\` and as a page at \`GET /docs\`.`,
    '',
    document.info.description,
    '',
    'A client in TypeScript, with types from `@score/inference`: [the serve-client example](/examples/serve-client).',
    '',
    '## Operations',
    '',
    '| Method | Path | Summary |',
    '|---|---|---|',
    ...operations.map(({ route, method, operation }) => `| ${method} | [\`${route}\`](#${slug(`${method} ${route}`)}) | ${cell(operation.summary)} |`),
    '',
  ];
  for (const { route, method, operation } of operations) {
    lines.push(`### \`${method} ${route}\``, '', `${operation.summary} (operation \`${operation.operationId}\`).`, '');
    if (operation.description) lines.push(operation.description, '');
    if (operation.parameters?.length) {
      lines.push('| Parameter | In | Required | Schema | Example |', '|---|---|---|---|---|');
      for (const parameter of operation.parameters) {
        lines.push(`| \`${parameter.name}\` | ${parameter.in} | ${parameter.required ? 'yes' : 'no'} | \`${cell(JSON.stringify(parameter.schema))}\` | ${parameter.example === undefined ? '' : `\`${cell(JSON.stringify(parameter.example))}\``} |`);
      }
      lines.push('');
    }
    const body = operation.requestBody?.content?.['application/json'];
    if (body) lines.push(`Request body (\`application/json\`${operation.requestBody.required ? ', required' : ''}): ${schemaLink(body.schema)}.`, '');
    lines.push('| Status | Description | Body |', '|---|---|---|');
    for (const [status, response] of Object.entries(operation.responses)) {
      const content = Object.entries(response.content ?? {}).map(([type, media]) => (media.schema ? `\`${type}\`: ${schemaLink(media.schema)}` : `\`${type}\``));
      lines.push(`| ${status} | ${cell(response.description)} | ${cell(content.join(', '))} |`);
    }
    lines.push('');
  }
  lines.push('## Schemas', '');
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    lines.push(`### ${name}`, '');
    if (schema.description) lines.push(schema.description, '');
    lines.push('```json', JSON.stringify(schema, null, 2), '```', '');
  }
  write(path.join(docs, 'reference', 'http-api.md'), lines.join('\n'));
  return operations.map(({ route, method }) => `${method} ${route}`);
}

/** A horizontal bar chart as SVG text. */
function barChart(title, rows, { min, max }) {
  const width = 640;
  const rowHeight = 26;
  const left = 230;
  const top = 34;
  const height = top + rows.length * rowHeight + 24;
  const scale = (value) => ((value - min) / (max - min)) * (width - left - 70);
  const escape = (text) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  const bars = rows.map((row, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, scale(row.value));
    const fill = row.highlight ? '#3a7bd5' : '#9bb7d4';
    return [
      `<text x="${left - 8}" y="${y + 16}" text-anchor="end" font-size="13">${escape(row.label)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${fill}"/>`,
      `<text x="${(left + w + 6).toFixed(1)}" y="${y + 16}" font-size="12">${row.value.toFixed(4)}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">${escape(title)}</text>`,
    ...bars,
    `<text x="${left}" y="${height - 6}" font-size="11" fill="#555">axis from ${min} to ${max}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

function generateResults() {
  const metricsFile = path.join(docs, 'results', 'demo-metrics.json');
  const metrics = JSON.parse(fs.readFileSync(metricsFile, 'utf8'));
  // `score-train report RUN --markdown` reads RUN/eval/metrics.json: give it the committed file.
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-results-'));
  fs.mkdirSync(path.join(run, 'eval'));
  fs.copyFileSync(metricsFile, path.join(run, 'eval', 'metrics.json'));
  const cli = spawnSync(process.execPath, [path.join(root, 'apps', 'trainer', 'bin', 'score-train.js'), 'report', run, '--markdown'], { encoding: 'utf8' });
  fs.rmSync(run, { recursive: true, force: true });
  if (cli.status !== 0) throw new Error(`score-train report --markdown failed (exit ${cli.status}):\n${cli.stderr}`);
  const charts = [];
  for (const key of ['auc', 'uauc']) {
    const rows = metrics.models.map((model) => ({ label: model.label, value: model[key], highlight: model.id === 'score' }));
    const file = `demo-${key}.svg`;
    write(path.join(docs, 'public', 'generated', file), barChart(`${key.toUpperCase()} on the demo's test rows`, rows, { min: 0.5, max: 0.7 }));
    charts.push(`![${key.toUpperCase()} of every model on the demo's test rows](/generated/${file})`);
  }
  const lines = [
    '# Results',
    '',
    "The demo's results (`npx score-train demo` on the synthetic default; see the [quick start](/quick-start)). The table is the output of `score-train report <run> --markdown` for the committed `docs/results/demo-metrics.json`, and the charts are drawn from the same file when the site is built.",
    '',
    cli.stdout.trimEnd(),
    '',
    '## Charts',
    '',
    'Bars start at 0.5 (a random score); SCoRe (CAR + SARE) is the darker bar.',
    '',
    ...charts.flatMap((chart) => [chart, '']),
    'How to read these numbers (noise, intervals, seeds): [the method page](/method#reading-the-demos-numbers).',
    '',
  ];
  write(path.join(docs, 'results.md'), lines.join('\n'));
}

function generateApi(list) {
  const libs = list.filter((pkg) => pkg.dir.startsWith('libs/'));
  const out = path.join(docs, 'api');
  fs.rmSync(out, { recursive: true, force: true });
  const args = [
    path.join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'),
    '--options',
    path.join(root, 'tools', 'scripts', 'docs-typedoc.json'),
    ...libs.flatMap((pkg) => ['--entryPoints', path.join(root, pkg.dir, 'src', 'index.ts')]),
    '--out',
    out,
  ];
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: root });
  if (result.status !== 0) throw new Error(`typedoc failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  fixApiAnchors(out);
  console.log(`docs-generate: API reference (${libs.length} packages) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** GitHub-style heading ids, as the site's markdown config makes them (duplicates get -1, -2, ...). */
function headingIds(markdown) {
  const ids = new Set();
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    const heading = fence ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const text = heading[1].replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/\\/g, '');
    const base = text.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    let id = base;
    for (let n = 1; ids.has(id); n += 1) id = `${base}-${n}`;
    ids.add(id);
  }
  return ids;
}

/**
 * typedoc-plugin-markdown numbers some anchors (`#name-1`) for headings that appear only once on
 * their page; point those links (on the same page or another) at the heading that exists.
 */
function fixApiAnchors(dir) {
  const files = fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
  const idsOf = new Map(files.map((file) => [file, headingIds(fs.readFileSync(file, 'utf8'))]));
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const fixed = text.replace(/\]\(([^)\s#]*)#([^)\s]+)\)/g, (whole, target, id) => {
      const ids = idsOf.get(target === '' ? file : path.resolve(path.dirname(file), target));
      if (!ids || ids.has(id)) return whole;
      const base = id.replace(/-\d+$/, '');
      return ids.has(base) ? `](${target}#${base})` : whole;
    });
    if (fixed !== text) fs.writeFileSync(file, fixed);
  }
}

const started = performance.now();
const list = generateGuides();
const examples = generateExamples();
await generateCli();
const routes = generateHttpApi();
generateResults();
if (withApi) generateApi(list);
console.log(
  `docs-generate: ${list.length} guides, ${examples.length} examples, CLI and HTTP API (${routes.length} routes) references, results${withApi ? ', API reference' : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
