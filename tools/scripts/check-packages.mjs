#!/usr/bin/env node
// Checks the published shape of every publishable @score library with publint
// (exports map, types, files): each package must be built first (`nx run-many -t build`).
// Then checks the release inputs: every internal @score dependency is a real semver range that
// the workspace's own version satisfies (never "*"), and `npm publish --dry-run` of every
// publishable library succeeds with a tarball that holds its entry points and no tests.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = path.resolve(import.meta.dirname, '../..');
const libsDir = path.join(root, 'libs');
let problems = 0;

// Layers (Nx tags): a library may only list @score dependencies of lower layers; eslint's
// @nx/enforce-module-boundaries checks the imports, this checks the published manifests.
const layerOf = new Map();
for (const group of ['libs', 'apps']) {
  for (const name of fs.readdirSync(path.join(root, group))) {
    const file = path.join(root, group, name, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
    const tag = (pkg.nx?.tags ?? []).find((t) => t.startsWith('layer:'));
    layerOf.set(pkg.name, tag === 'layer:app' ? Infinity : Number(tag?.slice('layer:'.length)));
  }
}
for (const group of ['libs', 'apps']) {
  for (const name of fs.readdirSync(path.join(root, group))) {
    const file = path.join(root, group, name, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
    const own = layerOf.get(pkg.name);
    if (Number.isNaN(own)) {
      console.error(`${pkg.name}: package.json needs an nx tag "layer:N" or "layer:app"`);
      problems += 1;
    }
    for (const dependency of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      if (!dependency.startsWith('@score/')) continue;
      if (!(layerOf.get(dependency) < own)) {
        console.error(`${pkg.name} (layer ${own}) depends on ${dependency} (layer ${layerOf.get(dependency)}); a package may only depend on lower layers`);
        problems += 1;
      }
    }
  }
}

for (const name of fs.readdirSync(libsDir).sort()) {
  const pkgDir = path.join(libsDir, name);
  const pkgFile = path.join(pkgDir, 'package.json');
  if (!fs.existsSync(pkgFile)) continue;
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  if (pkg.private) continue;
  const required = ['exports', 'files', 'types'];
  for (const field of required) {
    if (pkg[field] === undefined) {
      console.error(`${pkg.name}: package.json has no "${field}" field`);
      problems += 1;
    }
  }
  if (pkg.sideEffects !== false) {
    console.error(`${pkg.name}: package.json must say "sideEffects": false`);
    problems += 1;
  }
  if (!fs.existsSync(path.join(pkgDir, 'README.md'))) {
    console.error(`${pkg.name}: has no README.md`);
    problems += 1;
  }
  const { messages } = await publint({ pkgDir, level: 'warning', strict: true, pack: 'npm' });
  for (const message of messages) {
    console.error(`${pkg.name}: [${message.type}] ${formatMessage(message, pkg)}`);
    problems += 1;
  }
  if (messages.length === 0) console.log(`${pkg.name}: publint ok`);
}
// Internal dependency ranges: `nx release` bumps them (nx.json "release"); a consumer installing
// from a registry gets what they say, so "*" (any version, even an incompatible future one) is an
// error, and so is a range the workspace's own version does not satisfy.
const versionOf = new Map();
const manifests = [];
for (const group of ['libs', 'apps', 'tools']) {
  for (const name of fs.readdirSync(path.join(root, group))) {
    const file = path.join(root, group, name, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
    versionOf.set(pkg.name, pkg.version);
    manifests.push({ file: path.relative(root, file), pkg });
  }
}
/** `^x.y.z` / `~x.y.z` / `x.y.z` (the forms nx release writes) → does `version` satisfy it? */
function satisfies(version, range) {
  const match = /^([\^~]?)(\d+)\.(\d+)\.(\d+)$/.exec(range);
  const v = /^(\d+)\.(\d+)\.(\d+)$/.exec(version ?? '');
  if (!match || !v) return false;
  const [want, have] = [match.slice(2).map(Number), v.slice(1).map(Number)];
  const notBelow = have[0] !== want[0] ? have[0] > want[0] : have[1] !== want[1] ? have[1] > want[1] : have[2] >= want[2];
  if (match[1] === '') return have.join('.') === want.join('.');
  if (match[1] === '~') return notBelow && have[0] === want[0] && have[1] === want[1];
  // caret: the left-most non-zero part is fixed (semver.org, npm's node-semver ^ rules).
  if (want[0] > 0) return notBelow && have[0] === want[0];
  if (want[1] > 0) return notBelow && have[0] === 0 && have[1] === want[1];
  return have.join('.') === want.join('.');
}
for (const { file, pkg } of manifests) {
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    for (const [dependency, range] of Object.entries(pkg[field] ?? {})) {
      if (!dependency.startsWith('@score/')) continue;
      if (!versionOf.has(dependency)) {
        console.error(`${file}: ${field}["${dependency}"] names no workspace package`);
        problems += 1;
      } else if (!satisfies(versionOf.get(dependency), range)) {
        console.error(
          `${file}: ${field}["${dependency}"] is "${range}"; use a range such as "^${versionOf.get(dependency)}" ` +
            `that ${dependency}@${versionOf.get(dependency)} satisfies (never "*")`,
        );
        problems += 1;
      }
    }
  }
}

// `npm publish --dry-run` of every publishable library, in one npm call (packs each workspace,
// runs no registry write). The tarball must hold every entry point the manifest names and no tests.
const publishable = manifests.filter(({ file, pkg }) => file.startsWith('libs') && !pkg.private);
const publish = spawnSync(
  'npm',
  ['publish', '--dry-run', '--json', '--ignore-scripts', ...publishable.flatMap(({ file }) => ['--workspace', path.dirname(file)])],
  { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
);
let packed = {};
try {
  packed = JSON.parse(publish.stdout);
} catch {
  console.error(`npm publish --dry-run printed no JSON (exit ${publish.status}):\n${publish.stderr}`);
  problems += 1;
}
if (publish.status !== 0) {
  console.error(`npm publish --dry-run exited ${publish.status}:\n${publish.stderr}`);
  problems += 1;
}
for (const { pkg } of publishable) {
  const result = packed[pkg.name];
  if (!result) {
    console.error(`${pkg.name}: npm publish --dry-run reported no tarball`);
    problems += 1;
    continue;
  }
  const files = new Set(result.files.map((entry) => entry.path));
  const entryPoints = new Set([pkg.main, pkg.types].filter(Boolean));
  const walk = (value) => {
    if (typeof value === 'string') entryPoints.add(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(pkg.exports);
  for (const entry of entryPoints) {
    const file = entry.replace(/^\.\//, '');
    if (!files.has(file)) {
      console.error(`${pkg.name}: the published tarball lacks ${file} (named in package.json); build first`);
      problems += 1;
    }
  }
  for (const file of files) {
    if (/\.test\.ts$|test-fixtures\//.test(file)) {
      console.error(`${pkg.name}: the published tarball holds the test file ${file}`);
      problems += 1;
    }
  }
  if (result.version !== pkg.version) {
    console.error(`${pkg.name}: npm would publish ${result.version}, package.json says ${pkg.version}`);
    problems += 1;
  }
  console.log(`${pkg.name}@${result.version}: npm publish --dry-run ok (${result.files.length} files, ${result.size} bytes packed)`);
}

if (problems > 0) {
  console.error(`${problems} package-shape problem(s).`);
  process.exit(1);
}
