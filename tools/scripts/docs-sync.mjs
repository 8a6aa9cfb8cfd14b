#!/usr/bin/env node
/* global process, console */
// Keeps the code blocks of READMEs and docs pages identical to the example programs CI runs.
// A block is marked in the markdown as
//
//   <!-- example: examples/src/metrics-csv.ts -->
//   ```ts
//   ...the file's text...
//   ```
//   <!-- /example -->
//
// `npm run docs:sync` rewrites every marked block from its file; `node tools/scripts/docs-sync.mjs
// --check` changes nothing and exits 1, naming each out-of-date block (examples/src/docs-sync.test.ts
// runs it in CI). Optional arguments: the markdown files to look at (default: README.md,
// libs/*/README.md, apps/*/README.md, apps/*/src/*/README.md and docs/*.md).
//
// `--check` also fails on a TypeScript or JavaScript block (```ts, ```typescript, ```js, ...) outside an example marker in
// the files the docs site is built from (README.md, the package READMEs, docs/*.md), or in a
// README that already has an example marker: every TypeScript block a reader sees there must be
// a program CI runs. Shell and text blocks stay free.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const named = args.filter((arg) => !arg.startsWith('--'));

function defaultFiles() {
  const files = [path.join(root, 'README.md')];
  for (const group of ['libs', 'apps']) {
    for (const name of fs.readdirSync(path.join(root, group)).sort()) {
      const readme = path.join(root, group, name, 'README.md');
      if (fs.existsSync(readme)) files.push(readme);
    }
  }
  for (const name of fs.readdirSync(path.join(root, 'apps')).sort()) {
    const source = path.join(root, 'apps', name, 'src');
    if (!fs.existsSync(source)) continue;
    for (const folder of fs.readdirSync(source, { withFileTypes: true })) {
      const readme = path.join(source, folder.name, 'README.md');
      if (folder.isDirectory() && fs.existsSync(readme)) files.push(readme);
    }
  }
  for (const name of fs.readdirSync(path.join(root, 'docs')).sort()) if (name.endsWith('.md')) files.push(path.join(root, 'docs', name));
  return files;
}

const marker = /<!-- example: ([^\s]+) -->\n([\s\S]*?)<!-- \/example -->/g;

/** True for the markdown files the docs site is built from (see tools/scripts/docs-generate.mjs). */
function onSite(file) {
  const relative = path.relative(root, file).replaceAll(path.sep, '/');
  return relative === 'README.md' || /^(libs|apps)\/[^/]+\/README\.md$/.test(relative) || /^docs\/[^/]+\.md$/.test(relative);
}

/** `file:line` of every TypeScript or JavaScript block (```ts, ```js, ...) of `text` outside an example marker. */
function unmarkedBlocks(file, text) {
  const outside = text.replace(marker, (whole) => whole.replace(/[^\n]/g, ' '));
  const found = [];
  let fence;
  outside.split('\n').forEach((line, i) => {
    const opening = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (fence === undefined && opening) {
      fence = opening[1];
      if (/^(ts|typescript|tsx|mts|cts|js|javascript|jsx|mjs|cjs)$/i.test(opening[2])) found.push(`${path.relative(root, file)}:${i + 1}`);
    } else if (fence !== undefined && line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') fence = undefined;
  });
  return found;
}
const files = named.length > 0 ? named.map((file) => path.resolve(file)) : defaultFiles();
const stale = [];
const problems = [];
const unmarked = [];
let blocks = 0;
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  if (onSite(file) || marker.test(text) || named.length > 0) unmarked.push(...unmarkedBlocks(file, text));
  marker.lastIndex = 0;
  const updated = text.replace(marker, (whole, source, _body, offset) => {
    blocks += 1;
    const line = text.slice(0, offset).split('\n').length;
    const sourceFile = path.join(root, source);
    if (!fs.existsSync(sourceFile)) {
      problems.push(`${path.relative(root, file)}:${line}: the example ${source} does not exist (paths are relative to the repository root).`);
      return whole;
    }
    const code = fs.readFileSync(sourceFile, 'utf8').trimEnd();
    const block = `<!-- example: ${source} -->\n\`\`\`${path.extname(source).slice(1)}\n${code}\n\`\`\`\n<!-- /example -->`;
    if (block !== whole) stale.push(`${path.relative(root, file)}:${line}: the block differs from ${source}`);
    return block;
  });
  if (!check && updated !== text) {
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, updated);
    fs.renameSync(temp, file);
  }
}
for (const problem of problems) console.error(problem);
if (check) {
  for (const line of stale) console.error(line);
  if (stale.length > 0) console.error(`${stale.length} example block(s) out of date: run \`npm run docs:sync\`.`);
  for (const place of unmarked) {
    console.error(`${place}: a TypeScript or JavaScript block outside an example marker; move the code into a program under examples/src (CI runs it) and include it with <!-- example: examples/src/FILE.ts --> ... <!-- /example -->.`);
  }
  if (stale.length > 0 || problems.length > 0 || unmarked.length > 0) process.exit(1);
  console.log(`docs-sync: ${blocks} example block(s) in ${files.length} file(s) match their files.`);
} else {
  console.log(`docs-sync: ${stale.length} of ${blocks} example block(s) updated in ${files.length} file(s).`);
  if (problems.length > 0) process.exit(1);
}
