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
