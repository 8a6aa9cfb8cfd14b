import fs from 'node:fs';
import path from 'node:path';
import { commitFolder, createTemporaryFolder, type Logger } from '@score/core';

const LEFTOVER = /^\.(.+)\.(tmp|old)-\d+-[0-9a-f]+$/;

/**
 * The folder holding a stage's folder and the name of the stage's folder in it: `runDir` and the
 * name, or for a nested stage name such as `seeds/43/rec` (a per-seed stage) `runDir/seeds/43` and `rec`.
 */
function stageParent(runDir: string, stage: string): { parent: string; base: string } {
  const parts = stage.split('/');
  return { parent: path.join(runDir, ...parts.slice(0, -1)), base: parts[parts.length - 1]! };
}

/** Creates the temporary folder a stage writes into: `<runDir>/.<stage>.tmp-<pid>-<random>` (beside the stage's folder for a nested name). */
export async function createStageTempFolder(runDir: string, stage: string): Promise<string> {
  const { parent, base } = stageParent(runDir, stage);
  return await createTemporaryFolder(path.join(parent, base));
}

/**
 * Moves a finished stage's temporary folder to `<runDir>/<stage>`, replacing the previous one:
 * the old folder is renamed away, the new one renamed in, then the old one deleted. A kill at any
 * point leaves either the old or the new folder in place (see {@link recoverStageFolders}).
 */
export async function commitStageFolder(runDir: string, stage: string, temporary: string): Promise<string> {
  const { parent, base } = stageParent(runDir, stage);
  return await commitFolder(temporary, path.join(parent, base));
}

/**
 * Cleans what an interrupted run left in `runDir` (call it while holding the run lock):
 * temporary stage folders are deleted, and a stage folder renamed away but never replaced is put
 * back (the manifest still describes it); other renamed-away folders are deleted.
 */
export async function recoverStageFolders(runDir: string, logger: Logger): Promise<void> {
  await recoverIn(runDir, logger);
  // Per-seed stage folders live in seeds/<seed>/ (see seed-stages.ts).
  const seeds = path.join(runDir, 'seeds');
  const entries = await fs.promises.readdir(seeds, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await recoverIn(path.join(seeds, entry.name), logger);
}

async function recoverIn(dir: string, logger: Logger): Promise<void> {
  const names = await fs.promises.readdir(dir);
  for (const name of names) {
    const match = LEFTOVER.exec(name);
    if (!match) continue;
    const [, stage, kind] = match;
    const leftover = path.join(dir, name);
    const target = path.join(dir, stage!);
    if (kind === 'old' && !fs.existsSync(target)) {
      await fs.promises.rename(leftover, target);
      logger.warn(`restored the folder of stage "${stage}" that an interrupted run had moved away`, { path: target });
    } else {
      await fs.promises.rm(leftover, { recursive: true, force: true });
      logger.info(`removed ${kind === 'tmp' ? 'the partial output' : 'a replaced folder'} of stage "${stage}" left by an interrupted run`, { path: leftover });
    }
  }
}
