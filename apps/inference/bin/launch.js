// Shared launcher of the inference CLIs (score-serve, score-infer). Inside the repository (src/
// present) it runs the TypeScript entry directly through tsx, resolving every @score package to
// its sources via the `@score/source` export condition, so `npx score-serve` works right after
// `npm ci`. Built installs (no src/) import the entry's dist/ build.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Runs `src/<entry>.ts` (repository) or `dist/<entry>.js` (built install) with this process's arguments. */
export async function launch(entry) {
  const source = fileURLToPath(new URL(`../src/${entry}.ts`, import.meta.url));
  const built = new URL(`../dist/${entry}.js`, import.meta.url);
  if (existsSync(source)) {
    const child = spawn(process.execPath, ['--conditions=@score/source', '--import', 'tsx', source, ...process.argv.slice(2)], { stdio: 'inherit' });
    for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
    child.on('exit', (code, signal) => {
      if (signal) process.kill(process.pid, signal);
      else process.exit(code ?? 1);
    });
  } else {
    await import(built.href);
  }
}
