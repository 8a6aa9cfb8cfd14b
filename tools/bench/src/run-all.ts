/**
 * Runs every project's `bench` script one after another (benchmarks must not share the 2 cores),
 * streams their output and keeps a copy in `tmp/bench/<project>.txt`.
 *
 *   npx tsx tools/bench/src/run-all.ts [project ...]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');

interface BenchProject {
  readonly name: string;
  readonly dir: string;
}

/** Every library or app whose package.json has a `bench` script. */
export function findBenchProjects(): BenchProject[] {
  const projects: BenchProject[] = [];
  for (const group of ['libs', 'apps']) {
    for (const name of fs.readdirSync(path.join(root, group)).sort()) {
      const file = path.join(root, group, name, 'package.json');
      if (!fs.existsSync(file)) continue;
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { scripts?: Record<string, string> };
      if (pkg.scripts?.['bench']) projects.push({ name, dir: path.join(root, group, name) });
    }
  }
  return projects;
}

function main(selected: readonly string[]): number {
  const projects = findBenchProjects().filter((project) => selected.length === 0 || selected.includes(project.name));
  const outDir = path.join(root, 'tmp', 'bench');
  fs.mkdirSync(outDir, { recursive: true });
  let failures = 0;
  for (const project of projects) {
    process.stdout.write(`\n=== ${project.name}: npm run bench\n`);
    const result = spawnSync('npm', ['run', 'bench'], { cwd: project.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const text = `${result.stdout}${result.stderr}`;
    process.stdout.write(text);
    fs.writeFileSync(path.join(outDir, `${project.name}.txt`), text);
    if (result.status !== 0) failures += 1;
  }
  process.stdout.write(`\n${projects.length - failures} benchmark(s) finished, ${failures} failed; outputs in ${outDir}\n`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
