#!/usr/bin/env node
// `npm test`: build, typecheck and lint every project through Nx (cached), check for import cycles, run every vitest
// project once, then check each library's published shape with publint.
// Every step runs even when an earlier one fails, so a single run reports everything.
import { spawnSync } from 'node:child_process';

const env = { ...process.env, NX_DAEMON: process.env.NX_DAEMON ?? 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const steps = [
  ['build, typecheck, lint', 'npx', ['nx', 'run-many', '-t', 'build', 'typecheck', 'lint', '--output-style=stream', '--parallel=2']],
  ['import cycles (every file of apps, libs, tools, examples, docs)', 'node', ['tools/scripts/check-cycles.mjs']],
  ['unit tests (vitest)', 'npx', ['vitest', 'run']],
  ['published package shape (publint, internal ranges, npm publish --dry-run)', 'node', ['tools/scripts/check-packages.mjs']],
  ['container and Kubernetes files (hadolint, kubernetes-validate, consistency)', 'node', ['tools/scripts/check-deploy.mjs']],
];
const failed = [];
for (const [label, command, args] of steps) {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) failed.push(label);
}
if (failed.length > 0) {
  console.error(`\nnpm test failed in: ${failed.join('; ')}`);
  process.exit(1);
}
console.log('\nnpm test: every step passed.');
