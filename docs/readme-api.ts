// Checks that each library's README ends with an "## API" section listing exactly its public
// exports: every name exported by an entry of its package.json "exports" (src/index.ts, and
// src/testing.ts where the package has a `./testing` subpath) appears in the first column of a
// table headed "| Export | ..." in that section, and every name listed there is exported.
// readme-api.test.ts runs it in `npm test` (`npx vitest run --project docs readme-api`).
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');

/**
 * The public entries of a library: `{ subpath, file }` for each key of its package.json
 * "exports" that has an `@score/source` condition (".", "./testing").
 */
export function publicEntries(pkgDir: string): { subpath: string; file: string }[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
  const entries: { subpath: string; file: string }[] = [];
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    const source = typeof target === 'object' && target !== null ? (target as Record<string, unknown>)['@score/source'] : undefined;
    if (typeof source === 'string') entries.push({ subpath, file: path.join(pkgDir, source) });
  }
  return entries;
}

/**
 * The names an entry file exports. Entries only re-export named symbols
 * (`export { a } from './a'`, `export type { B } from './b'`); anything else is an error,
 * so that the list read here is the whole surface.
 */
export function exportedNames(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const names: string[] = [];
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) names.push(element.name.text);
    } else {
      const { line } = source.getLineAndCharacterOfPosition(statement.getStart(source));
      throw new Error(`${path.relative(root, file)}:${line + 1}: an entry file may only hold named re-exports (export { a } from './a'); found "${statement.getText(source).split('\n')[0]}"`);
    }
  }
  return names;
}

/**
 * The final "## API" section of a README (from its heading to the end of the file), or
 * undefined when the last second-level heading is not "## API".
 */
export function apiSection(readme: string): string | undefined {
  const headings = [...readme.matchAll(/^## .*$/gm)];
  const last = headings.at(-1);
  if (!last || last[0].trim() !== '## API') return undefined;
  return readme.slice(last.index);
}

/**
 * The names listed in an API section: the leading identifier of every `code` span in the first
 * column of the tables whose header's first cell is "Export".
 */
export function listedNames(section: string): string[] {
  const names: string[] = [];
  let inExportTable = false;
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) {
      inExportTable = false;
      continue;
    }
    const firstCell = line.split('|')[1]?.trim() ?? '';
    if (/^export$/i.test(firstCell)) {
      inExportTable = true;
      continue;
    }
    if (!inExportTable || /^:?-+:?$/.test(firstCell)) continue;
    for (const span of firstCell.matchAll(/`([^`]+)`/g)) {
      const name = /^[A-Za-z_$][\w$]*/.exec(span[1].trim())?.[0];
      if (name) names.push(name);
    }
  }
  return names;
}

/** The problems of one library (an empty list when its README's API section matches its exports). */
export function checkLibrary(pkgDir: string): string[] {
  const label = path.relative(root, pkgDir);
  const readmeFile = path.join(pkgDir, 'README.md');
  if (!fs.existsSync(readmeFile)) return [`${label}: has no README.md`];
  const section = apiSection(fs.readFileSync(readmeFile, 'utf8'));
  if (section === undefined) return [`${label}/README.md: the last "## " section must be "## API", listing the package's exports`];
  const exported = new Map<string, string>();
  for (const { subpath, file } of publicEntries(pkgDir)) {
    for (const name of exportedNames(file)) exported.set(name, subpath);
  }
  const listed = new Set(listedNames(section));
  const problems: string[] = [];
  for (const [name, subpath] of exported) {
    if (!listed.has(name)) {
      problems.push(`${label}/README.md: "## API" does not list \`${name}\` (exported by "${subpath}"); add a row "| \`${name}\` | what it is for |" to an "| Export | ... |" table`);
    }
  }
  for (const name of listed) {
    if (!exported.has(name)) problems.push(`${label}/README.md: "## API" lists \`${name}\`, which the package does not export`);
  }
  return problems;
}

/** The library folders (libs/*) that have a package.json. */
export function libraryDirs(): string[] {
  const libs = path.join(root, 'libs');
  return fs
    .readdirSync(libs)
    .sort()
    .map((name) => path.join(libs, name))
    .filter((dir) => fs.existsSync(path.join(dir, 'package.json')));
}
