import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createCommandContext } from '../cli/command-context';
import { ConfigValidationError } from '../config/config-error';
import { registerConfigCommand } from './config';
import { loadConfig } from '../config/load-config';

async function runCli(args: readonly string[]): Promise<string> {
  let stdout = '';
  const silent = () => {};
  const program = new Command('score-train').exitOverride().configureOutput({ writeErr: silent });
  registerConfigCommand(program, (flags) => createCommandContext(flags, { output: { write: (text) => void (stdout += text) }, onProgress: silent, logger: { debug: silent, info: silent, warn: silent, error: silent } }));
  await program.parseAsync(['node', 'score-train', 'config', ...args]);
  return stdout;
}

describe('score-train config', () => {
  it('prints the resolved config as YAML that loads back to the same hash', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-config-command-'));
    const file = path.join(dir, 'run.yaml');
    fs.writeFileSync(file, 'crm:\n  epochs: 7\n');
    const text = await runCli(['--config', file, '--set', 'car.retrieved=15']);
    const { hash } = loadConfig({ file, overrides: ['car.retrieved=15'] });
    expect(text.split('\n')[0]).toBe(`# Resolved from ${file}; sha256 ${hash}`);
    const printed = parse(text);
    expect(printed.crm.epochs).toBe(7);
    expect(printed.car.retrieved).toBe(15);
    const resolvedFile = path.join(dir, 'resolved.yaml');
    fs.writeFileSync(resolvedFile, text);
    expect(loadConfig({ file: resolvedFile }).hash).toBe(hash);

    const json = JSON.parse(await runCli(['--config', file, '--json']));
    expect(json).toMatchObject({ hash: loadConfig({ file }).hash, file, config: { crm: { epochs: 7 } } });
  });

  it('prints the key reference, and reports bad keys', async () => {
    expect(await runCli(['--describe'])).toMatch(/^\| Key \| Type \| Default \| Description \|\n/);
    await expect(runCli(['--set', 'sare.temperature=0.1'])).rejects.toThrow(ConfigValidationError);
    await expect(runCli(['--set', 'sare.temperature=0.1'])).rejects.toThrow('Invalid "sare.temperature": unknown key; valid keys are encoder, tau,');
  });
});
