import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadDataset } from '@score/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRun, type TestRun } from './test-fixtures/test-run';

// The container's start command, without a container engine: the runtime stage of the repository's
// Dockerfile is laid out in a temp folder as the image has it under /app (the built dist/ and bin/
// of @score/inference, no src/, so bin/ runs dist/ as in the image; node_modules is the
// repository's, whose @score packages resolve to their built dist/), then the Dockerfile's exact
// ENTRYPOINT + CMD and HEALTHCHECK command run with three substitutions only: /app -> that folder,
// the VOLUME path -> a test run folder, port 8080 -> a free port. As root (CI), the server runs as
// uid 1000 like the image's USER, with HOME read-only and only TMPDIR writable (the Kubernetes
// example's readOnlyRootFilesystem).
const repo = path.resolve(import.meta.dirname, '../../..');
const dockerfile = fs.readFileSync(path.join(repo, 'Dockerfile'), 'utf8');

/** The JSON-array form of a Dockerfile instruction in the last stage (continuation lines joined). */
function instruction(name: string): string[] {
  const joined = dockerfile.replace(/\\\n\s*/g, ' ');
  const lines = joined.split('\n').filter((line) => line.startsWith(`${name} `));
  const line = lines.at(-1);
  if (!line) throw new Error(`Dockerfile has no ${name} instruction`);
  const json = line.slice(line.indexOf('['));
  return JSON.parse(json) as string[];
}

let run: TestRun;
let root: string;
let app: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // The image's build stage runs `nx run @score/inference:build`; here it is an Nx cache hit after `npm test`'s build step.
  const build = spawnSync('npx', ['nx', 'run', '@score/inference:build', '--output-style=stream'], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  });
  if (build.status !== 0) throw new Error(`nx run @score/inference:build failed:\n${build.stdout}\n${build.stderr}`);
  run = await createTestRun();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'score-image-'));
  app = path.join(root, 'app');
  const inference = path.join(app, 'apps', 'inference');
  fs.mkdirSync(inference, { recursive: true });
  for (const entry of ['package.json', 'bin', 'dist']) fs.cpSync(path.join(repo, 'apps', 'inference', entry), path.join(inference, entry), { recursive: true });
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(app, 'node_modules'));
  fs.mkdirSync(path.join(root, 'home'));
  fs.mkdirSync(path.join(root, 'tmp'));
  for (const dir of [root, path.join(root, 'tmp'), path.dirname(run.runDir)]) fs.chmodSync(dir, 0o777);
  fs.chmodSync(path.join(root, 'home'), 0o555);
  spawnSync('chmod', ['-R', 'a+rX', path.dirname(run.runDir), app]);
}, 300_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  run?.remove();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const volume = () => instruction('VOLUME')[0]!;

/** The image's command line with the three substitutions. */
function command(port: number, extra: readonly string[] = []): string[] {
  const swap = (arg: string) => (arg === volume() ? run.runDir : arg === '8080' ? String(port) : arg.replace(/^\/app\//, `${app}/`));
  return [...instruction('ENTRYPOINT'), ...instruction('CMD'), ...extra].map(swap);
}

function start(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const asImageUser = process.getuid?.() === 0 ? { uid: 1000, gid: 1000 } : {};
  const child = spawn(args[0] === 'node' ? process.execPath : args[0]!, args.slice(1), {
    cwd: app,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', HOME: path.join(root, 'home'), TMPDIR: path.join(root, 'tmp') },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...asImageUser,
  });
  children.push(child);
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(url: string, status: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).status === status) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("the Dockerfile's start command", () => {
  it('is the built score-serve on the volume, listening on all interfaces (instructions as expected)', () => {
    expect(instruction('ENTRYPOINT')).toEqual(['node', '/app/apps/inference/bin/score-serve.js']);
    const cmd = instruction('CMD');
    expect(cmd.slice(cmd.indexOf('--run'), cmd.indexOf('--run') + 2)).toEqual(['--run', volume()]);
    expect(cmd.slice(cmd.indexOf('--host'), cmd.indexOf('--host') + 2)).toEqual(['--host', '0.0.0.0']);
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
  });

  it('listens on the run folder at once, then exits 1 naming the problem when the default in-process LM is missing', async () => {
    const port = await freePort();
    const server = start(command(port));
    expect(await server.exited).toBe(1);
    const lines = server.output().trim().split('\n').map((line) => JSON.parse(line) as { msg: string; url?: string; run?: string; error?: string });
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['listening', 'the run failed to load', 'stopped']));
    const listening = lines.find((line) => line.msg === 'listening')!;
    expect(listening.url).toBe(`http://0.0.0.0:${port}`);
    expect(listening.run).toBe(run.runDir);
    expect(lines.find((line) => line.msg === 'the run failed to load')!.error).toMatch(/rec/);
  }, 120_000);

  it('becomes ready with an LM given, passes the HEALTHCHECK command, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const server = start(command(port, ['--llm', run.llm, '--llm-threads', '1', '--llm-context', '4096']));
    await waitFor(`http://127.0.0.1:${port}/readyz`, 200, 90_000);
    const health = instruction('HEALTHCHECK').filter((arg) => arg !== 'CMD');
    const probe = spawnSync(process.execPath, health.slice(1).map((arg) => arg.replace('127.0.0.1:8080', `127.0.0.1:${port}`)), { encoding: 'utf8' });
    expect(probe.status).toBe(0);
    const row = (await loadDataset(run.runDir)).split('test')[0]!;
    const response = await fetch(`http://127.0.0.1:${port}/v1/score`, { method: 'POST', body: JSON.stringify({ userId: row.userId, itemId: row.itemId }), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { probability: number }).probability).toBeGreaterThan(0);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/stopped/);
    // Nothing listens any more: the same probe now fails.
    expect(spawnSync(process.execPath, health.slice(1).map((arg) => arg.replace('127.0.0.1:8080', `127.0.0.1:${port}`))).status).toBe(1);
  }, 150_000);
});
