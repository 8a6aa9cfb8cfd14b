#!/usr/bin/env node
// Lists the long functions of the monorepo's TypeScript sources, longest first.
//
//   node tools/scripts/long-functions.mjs [--lines N] [FOLDER...]
//
// Reads the .ts files git tracks under each FOLDER (default: libs apps), except tests
// (*.test.ts), test fixtures and helpers and the `testing/` subpaths, and prints one line per
// function, method, arrow function or function expression whose body spans more than N lines
// (default 80): `LINES<TAB>FILE:LINE<TAB>NAME`. The body is counted from its opening to its
// closing brace, blank and comment lines included. A long function is a place to look for
// seams (named, documented helpers), not a failure: the exit status is 0, or 2 on bad usage.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const EXCLUDED = /\.test\.ts$|\.d\.ts$|test-helpers|test-fixtures|(^|\/)testing\//;

/** `{ lines, folders }` from the command line, or exits with status 2 and the usage. */
function parseArguments(argv) {
  let lines = 80;
  const folders = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--lines') {
      lines = Number(argv[++i]);
      if (!Number.isInteger(lines) || lines < 1) {
        process.stderr.write('--lines takes a whole number of at least 1.\nusage: node tools/scripts/long-functions.mjs [--lines N] [FOLDER...]\n');
        process.exit(2);
      }
    } else folders.push(argv[i]);
  }
  return { lines, folders: folders.length > 0 ? folders : ['libs', 'apps'] };
}

/** The tracked TypeScript sources under `folders`, tests and fixtures left out. */
function sources(root, folders) {
  const listed = execFileSync('git', ['ls-files', '--', ...folders.map((folder) => `${folder}/*.ts`)], { cwd: root, encoding: 'utf8' });
  return listed.split('\n').filter((file) => file && !EXCLUDED.test(file));
}

/** The name a function node is known by: its own, its variable's or property's, or `<anonymous>`. */
function nameOf(node) {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) return parent.name.getText();
  return '<anonymous>';
}

/** `[lines, place, name]` for each function of `file` whose body spans more than `limit` lines. */
function longFunctions(root, file, limit) {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    const isFunction = ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node);
    if (isFunction && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.body.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.body.getEnd()).line;
      const lines = last - first + 1;
      if (lines > limit) found.push([lines, `${file}:${first + 1}`, nameOf(node)]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
const { lines, folders } = parseArguments(process.argv.slice(2));
const all = sources(root, folders).flatMap((file) => longFunctions(root, file, lines));
all.sort((a, b) => b[0] - a[0] || a[1].localeCompare(b[1]));
process.stdout.on('error', () => {}); // a closed pipe (| head) is not an error
process.stdout.write(all.map((row) => `${row.join('\t')}\n`).join(''));
process.stderr.write(`${all.length} function(s) over ${lines} lines.\n`);
