#!/usr/bin/env node
// Checks the published shape of every publishable @score library with publint
// (exports map, types, files): each package must be built first (`nx run-many -t build`).
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
if (problems > 0) {
  console.error(`${problems} package-shape problem(s).`);
  process.exit(1);
}
