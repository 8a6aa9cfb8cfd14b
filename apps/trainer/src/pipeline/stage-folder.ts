import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@score/core';

const LEFTOVER = /^\.(.+)\.(tmp|old)-\d+-[0-9a-f]+$/;

/** Creates the temporary folder a stage writes into: `<runDir>/.<stage>.tmp-<pid>-<random>`. */
export async function createStageTempFolder(runDir: string, stage: string): Promise<string> {
  const folder = path.join(runDir, `.${stage}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.promises.mkdir(folder);
  return folder;
}

/**
 * Moves a finished stage's temporary folder to `<runDir>/<stage>`, replacing the previous one:
 * the old folder is renamed away, the new one renamed in, then the old one deleted. A kill at any
 * point leaves either the old or the new folder in place (see {@link recoverStageFolders}).
 */
export async function commitStageFolder(runDir: string, stage: string, temporary: string): Promise<string> {
  const target = path.join(runDir, stage);
  const previous = path.join(runDir, `.${stage}.old-${process.pid}-${randomBytes(4).toString('hex')}`);
  let movedAway = false;
  try {
    await fs.promises.rename(target, previous);
    movedAway = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await fs.promises.rename(temporary, target);
  if (movedAway) await fs.promises.rm(previous, { recursive: true, force: true });
  return target;
}

/**
 * Cleans what an interrupted run left in `runDir` (call it while holding the run lock):
 * temporary stage folders are deleted, and a stage folder renamed away but never replaced is put
 * back (the manifest still describes it); other renamed-away folders are deleted.
 */
export async function recoverStageFolders(runDir: string, logger: Logger): Promise<void> {
  const names = await fs.promises.readdir(runDir);
  for (const name of names) {
    const match = LEFTOVER.exec(name);
    if (!match) continue;
    const [, stage, kind] = match;
    const leftover = path.join(runDir, name);
    const target = path.join(runDir, stage!);
    if (kind === 'old' && !fs.existsSync(target)) {
      await fs.promises.rename(leftover, target);
      logger.warn(`restored the folder of stage "${stage}" that an interrupted run had moved away`, { path: target });
    } else {
      await fs.promises.rm(leftover, { recursive: true, force: true });
      logger.info(`removed ${kind === 'tmp' ? 'the partial output' : 'a replaced folder'} of stage "${stage}" left by an interrupted run`, { path: leftover });
    }
  }
}
