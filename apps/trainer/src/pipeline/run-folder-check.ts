import fs from 'node:fs';
import path from 'node:path';
import { InvalidOptionError } from '@score/core';
import { MANIFEST_FILE } from './manifest';
import { STAGE_NAMES } from './stage';

/**
 * Refuses a run folder that a run must not write: a file (or a path below a file), or an existing
 * folder without a manifest that holds a folder named like a stage (a run would replace it and
 * lose what it holds). A new folder, an empty one, one with other files only, or a run folder
 * (with manifest.json) pass.
 * @param flag - The flag or key that named the folder, for the message ("--out", "run.dir").
 * @param stageNames - Folder names a run writes. @defaultValue the seven stages
 * @throws InvalidOptionError naming the folder and what to do instead.
 */
export function checkRunFolder(runDir: string, flag: string, stageNames: readonly string[] = STAGE_NAMES): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(runDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    // A new folder: every existing ancestor must be a folder.
    for (let ancestor = path.dirname(runDir); ; ancestor = path.dirname(ancestor)) {
      const found = fs.statSync(ancestor, { throwIfNoEntry: false });
      if (found && !found.isDirectory()) throw new InvalidOptionError(flag, `${runDir} cannot be made: ${ancestor} is a file, not a folder.`, runDir);
      if (found || path.dirname(ancestor) === ancestor) return;
    }
  }
  if (!stat.isDirectory()) throw new InvalidOptionError(flag, `${runDir} is a file, not a folder; name a new folder or a run folder made by score-train.`, runDir);
  if (fs.existsSync(path.join(runDir, MANIFEST_FILE))) return;
  const taken = fs
    .readdirSync(runDir)
    .filter((name) => stageNames.includes(name))
    .map((name) => `${name}/`);
  if (taken.length > 0) {
    const list = taken.join(', ');
    throw new InvalidOptionError(
      flag,
      `${runDir} is not a run folder (it has no manifest.json) but holds ${list}, which a run would replace; name a new or empty folder, or move ${list} away first (for a run folder whose manifest.json was deleted: delete ${list} too to start it over).`,
      runDir,
    );
  }
}
