#!/usr/bin/env node
// Import-cycle check of the monorepo's TypeScript files (run by `npm test`).
//
//   node tools/scripts/check-cycles.mjs [ROOT]
//
// Reads every .ts/.mts/.tsx file under ROOT's apps/, libs/, tools/, examples/ and docs/ (ROOT
// defaults to the repository root; node_modules, dist and coverage are skipped), follows its
// static imports, re-exports and dynamic `import('...')` calls, type-only ones included, to other
// files of the tree (relative paths, and `@score/NAME[/SUBPATH]` through each package's
// "@score/source" export), and prints every cycle as a chain of files. Exit status: 0 without
// cycles, 1 with (each named), 2 on bad usage. Project-level cycles are also caught by lint
// (`@nx/enforce-module-boundaries`); this finds the file-level ones inside a project too.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SOURCE_FOLDERS = ['apps', 'libs', 'tools', 'examples', 'docs'];
const SKIPPED = new Set(['node_modules', 'dist', 'coverage', '.nx', '.vitepress']);
const EXTENSIONS = ['.ts', '.mts', '.tsx'];

/** Every TypeScript file under `dir`, skipping build output and dependencies. */
function listSources(dir, found = []) {
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name) || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listSources(full, found);
    else if (EXTENSIONS.some((extension) => entry.name.endsWith(extension)) && !entry.name.endsWith('.d.ts')) found.push(full);
  }
  return found;
}

/** `@score/NAME[/SUBPATH]` -> source file, from the "@score/source" condition of each workspace package's exports. */
function workspaceEntries(root) {
  const entries = new Map();
  for (const folder of SOURCE_FOLDERS) {
    const base = path.join(root, folder);
    if (!fs.existsSync(base)) continue;
    for (const name of fs.readdirSync(base)) {
      const manifest = path.join(base, name, 'package.json');
      if (!fs.existsSync(manifest)) continue;
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      if (typeof pkg.name !== 'string' || pkg.exports === null || typeof pkg.exports !== 'object') continue;
      for (const [subpath, target] of Object.entries(pkg.exports)) {
        const source = target !== null && typeof target === 'object' ? target['@score/source'] : undefined;
        if (typeof source === 'string') entries.set(subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`, path.resolve(base, name, source));
      }
    }
  }
  return entries;
}

function resolveRelative(from, specifier) {
  const target = path.resolve(path.dirname(from), specifier);
  const stripped = target.replace(/\.(m?js|jsx)$/, '');
  const candidates = [target, ...EXTENSIONS.map((extension) => stripped + extension), ...EXTENSIONS.map((extension) => path.join(target, `index${extension}`))];
  return candidates.find((candidate) => EXTENSIONS.some((extension) => candidate.endsWith(extension)) && fs.existsSync(candidate) && fs.statSync(candidate).isFile());
}

/** The import graph: file -> files of the tree it imports. */
export function importGraph(root) {
  const files = SOURCE_FOLDERS.flatMap((folder) => listSources(path.join(root, folder)));
  const known = new Set(files);
  const entries = workspaceEntries(root);
  const graph = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = new Set();
    for (const { fileName: specifier } of importedFiles) {
      const target = specifier.startsWith('.') ? resolveRelative(file, specifier) : entries.get(specifier);
      if (target !== undefined && known.has(target) && target !== file) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** The cycles of a graph: one shortest cycle per strongly connected component of two or more files (Tarjan). */
export function findCycles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (start) => {
    // Iterative Tarjan: a frame is [node, position in its edge list].
    const frames = [[start, 0]];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const [node] = frame;
      const edges = graph.get(node) ?? [];
      if (frame[1] < edges.length) {
        const next = edges[frame[1]++];
        if (!index.has(next)) {
          index.set(next, counter);
          low.set(next, counter++);
          stack.push(next);
          onStack.add(next);
          frames.push([next, 0]);
        } else if (onStack.has(next)) {
          low.set(node, Math.min(low.get(node), index.get(next)));
        }
        continue;
      }
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(node)));
      }
      if (low.get(node) === index.get(node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        if (component.length > 1) components.push(component.sort());
      }
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components.map((component) => {
    // Shortest path from the component's first file back to itself, inside the component.
    const inside = new Set(component);
    const first = component[0];
    const previous = new Map();
    const queue = [first];
    while (queue.length > 0) {
      const node = queue.shift();
      for (const next of graph.get(node) ?? []) {
        if (!inside.has(next)) continue;
        if (next === first) {
          const chain = [first];
          for (let at = node; at !== first; at = previous.get(at)) chain.splice(1, 0, at);
          return [...chain, first];
        }
        if (!previous.has(next)) {
          previous.set(next, node);
          queue.push(next);
        }
      }
    }
    return component;
  });
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (invokedDirectly) {
  const args = process.argv.slice(2);
  if (args.length > 1 || args.some((arg) => arg.startsWith('-'))) {
    console.error('usage: node tools/scripts/check-cycles.mjs [ROOT]');
    process.exit(2);
  }
  const root = path.resolve(args[0] ?? path.join(import.meta.dirname, '..', '..'));
  const graph = importGraph(root);
  const cycles = findCycles(graph);
  const relative = (file) => path.relative(root, file);
  if (cycles.length > 0) {
    for (const cycle of cycles) console.error(`import cycle: ${cycle.map(relative).join(' -> ')}`);
    console.error(`${cycles.length} import cycle(s) among ${graph.size} files; break each by moving the shared part into a module both import.`);
    process.exit(1);
  }
  console.log(`No import cycle among ${graph.size} files.`);
}
