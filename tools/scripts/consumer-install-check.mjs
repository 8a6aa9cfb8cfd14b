#!/usr/bin/env node
// Installs @score/car-retriever the way a consumer would, from packed tarballs, in a fresh folder
// outside the repository, and runs an example there. Checks the fix of issue 21 (6): LanceDB 0.31
// lists `@huggingface/transformers` 3.0.2 (and through it onnxruntime-node 1.19, sharp 0.33 …) as
// an optional dependency; the repository's root `overrides` do not reach a consumer, so the
// car-retriever README tells consumers to add the same override, and this script checks that:
//
//   1. packs @score/car-retriever and the @score libraries it depends on (`npm pack`; build first:
//      `npx nx run @score/car-retriever:build`);
//   2. resolves a plain consumer (no override) with `npm install --package-lock-only` and reports
//      which @huggingface/transformers / onnxruntime-node versions it would get (the problem);
//   3. installs a consumer whose package.json carries the override block copied from the
//      car-retriever README (section "Install"), with `--prefer-offline` (the npm cache; the
//      registry only for what is not cached) and `--ignore-scripts` (the repository's own policy,
//      package.json "allowScripts": no install script is needed: LanceDB and onnxruntime ship
//      prebuilt binaries), and checks that every installed copy of @huggingface/transformers and
//      onnxruntime-node is the overridden version;
//   4. runs an example in that folder: builds a LanceDB index with LanceVectorIndex, queries it,
//      and checks the hits.
//
// Usage: node tools/scripts/consumer-install-check.mjs [--keep]   (--keep leaves the folder)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const keep = process.argv.includes('--keep');
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
const problems = [];

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

// The workspace packages, and car-retriever's @score dependencies (transitively).
const workspace = new Map();
for (const name of fs.readdirSync(path.join(root, 'libs'))) {
  const file = path.join(root, 'libs', name, 'package.json');
  if (fs.existsSync(file)) workspace.set(JSON.parse(fs.readFileSync(file, 'utf8')).name, path.join(root, 'libs', name));
}
const needed = new Set();
const visit = (name) => {
  if (needed.has(name)) return;
  needed.add(name);
  const pkg = JSON.parse(fs.readFileSync(path.join(workspace.get(name), 'package.json'), 'utf8'));
  for (const dependency of Object.keys(pkg.dependencies ?? {})) if (dependency.startsWith('@score/')) visit(dependency);
};
visit('@score/car-retriever');
for (const name of needed) {
  if (!fs.existsSync(path.join(workspace.get(name), 'dist', 'index.js'))) {
    console.error(`${name} is not built (${path.relative(root, workspace.get(name))}/dist/index.js missing): run \`npx nx run @score/car-retriever:build\` first.`);
    process.exit(1);
  }
}

// The override block of the README: the first ```json block of the "## Install" section.
const readme = fs.readFileSync(path.join(workspace.get('@score/car-retriever'), 'README.md'), 'utf8');
const installSection = /^## Install\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
const overrideBlock = /```json\n([\s\S]*?)```/.exec(installSection)?.[1];
if (!overrideBlock) {
  console.error('libs/car-retriever/README.md: the "## Install" section has no ```json block with the consumer override.');
  process.exit(1);
}
const documented = JSON.parse(overrideBlock);
const wanted = documented.overrides?.['@lancedb/lancedb']?.['@huggingface/transformers'];
if (typeof wanted !== 'string') {
  console.error('libs/car-retriever/README.md: the ```json block must hold overrides["@lancedb/lancedb"]["@huggingface/transformers"].');
  process.exit(1);
}

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'score-consumer-'));
console.log(`consumer check in ${base}`);
try {
  // 1. Tarballs.
  const tarballs = path.join(base, 'tarballs');
  fs.mkdirSync(tarballs);
  const packed = JSON.parse(
    run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballs, ...[...needed].flatMap((name) => ['--workspace', workspace.get(name)])], root),
  );
  const dependencies = Object.fromEntries(packed.map((entry) => [entry.name, `file:${path.join(tarballs, entry.filename)}`]));
  console.log(`[${seconds()} s] packed ${packed.map((entry) => `${entry.name}@${entry.version}`).join(', ')}`);

  const consumer = (name, extra) => {
    const dir = path.join(base, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `score-consumer-${name}`, private: true, type: 'module', dependencies, ...extra }, null, 2));
    return dir;
  };
  const npmFlags = ['--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
  const lockedVersions = (dir, name) => {
    const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8'));
    return Object.entries(lock.packages)
      .filter(([key]) => key.endsWith(`node_modules/${name}`))
      .map(([key, entry]) => `${entry.version}${key.split('node_modules/').length > 2 ? ` (${key})` : ''}`);
  };

  // 2. Without the override: what a consumer gets today.
  const plain = consumer('plain', {});
  run('npm', ['install', '--package-lock-only', ...npmFlags], plain);
  const plainTransformers = lockedVersions(plain, '@huggingface/transformers');
  const plainOnnx = lockedVersions(plain, 'onnxruntime-node');
  console.log(`[${seconds()} s] without the override: @huggingface/transformers ${plainTransformers.join(', ') || 'none'}; onnxruntime-node ${plainOnnx.join(', ') || 'none'}`);

  // 3. With the README's override, installed for real.
  const fixed = consumer('with-override', { overrides: documented.overrides });
  run('npm', ['install', ...npmFlags], fixed);
  const installed = (name) => {
    const found = [];
    const walk = (dir) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const child = path.join(dir, entry.name);
        if (entry.name.startsWith('@')) walk(child);
        else {
          const manifest = path.join(child, 'package.json');
          if (path.relative(fixed, child).endsWith(path.join('node_modules', name)) && fs.existsSync(manifest)) {
            found.push(`${JSON.parse(fs.readFileSync(manifest, 'utf8')).version} (${path.relative(fixed, child)})`);
          }
          if (fs.existsSync(path.join(child, 'node_modules'))) walk(path.join(child, 'node_modules'));
        }
      }
    };
    walk(path.join(fixed, 'node_modules'));
    return found;
  };
  const transformers = installed('@huggingface/transformers');
  const onnx = installed('onnxruntime-node');
  console.log(`[${seconds()} s] with the README override: @huggingface/transformers ${transformers.join(', ') || 'none'}; onnxruntime-node ${onnx.join(', ') || 'none'}`);
  if (transformers.length === 0 || transformers.some((entry) => !entry.startsWith(`${wanted} `))) {
    problems.push(`expected only @huggingface/transformers ${wanted}, found ${transformers.join(', ') || 'none'}`);
  }
  const textEncoders = JSON.parse(fs.readFileSync(path.join(workspace.get('@score/text-encoders'), 'package.json'), 'utf8'));
  const onnxWanted = textEncoders.dependencies['onnxruntime-node'];
  if (onnx.length === 0 || onnx.some((entry) => !entry.startsWith(`${onnxWanted} `))) {
    problems.push(`expected one onnxruntime-node stack (${onnxWanted}, as @score/text-encoders), found ${onnx.join(', ') || 'none'}`);
  }

  // 4. The example: a LanceDB index built and queried through the installed package.
  fs.writeFileSync(
    path.join(fixed, 'example.mjs'),
    `import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LanceVectorIndex } from '@score/car-retriever';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-consumer-index-'));
const unit = (angle) => Float32Array.from([Math.cos(angle), Math.sin(angle), 0, 0]);
const index = await LanceVectorIndex.create({ dir, dimensions: 4 });
await index.add(Array.from({ length: 200 }, (_, i) => ({ id: 'u' + i, vector: unit(i / 100), text: 'user ' + i, asOf: i })));
const hits = await index.search(unit(1.234), { limit: 3 });
const before = await index.search(unit(1.234), { limit: 2, before: 50 });
console.log(JSON.stringify({ count: await index.count(), hits: hits.map((hit) => hit.id), before: before.map((hit) => hit.id) }));
await index.close();
fs.rmSync(dir, { recursive: true, force: true });
`,
  );
  const printed = JSON.parse(run('node', ['example.mjs'], fixed).trim().split('\n').at(-1));
  console.log(`[${seconds()} s] example: ${JSON.stringify(printed)}`);
  const expected = { count: 200, hits: ['u123', 'u124', 'u122'], before: ['u49', 'u48'] };
  if (JSON.stringify(printed) !== JSON.stringify(expected)) problems.push(`the example printed ${JSON.stringify(printed)}, expected ${JSON.stringify(expected)}`);
} catch (error) {
  problems.push(error.message);
} finally {
  if (!keep) fs.rmSync(base, { recursive: true, force: true });
}
if (problems.length > 0) {
  for (const problem of problems) console.error(`consumer install check: ${problem}`);
  process.exit(1);
}
console.log(`consumer install check passed in ${seconds()} s`);
