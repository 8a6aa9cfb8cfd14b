import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, InvalidOptionError } from '@score/core';
import { type ModelEntry, type ModelFile } from './model-entry';
import { type SourcePlan } from './source-plan';

/**
 * A plan that copies each file from a local folder holding the model's files under their
 * registry paths (an unpacked wheel folder, a Hub snapshot). For a single-file model the
 * option may also name the file itself.
 * @throws InvalidOptionError when no folder is given; ArtifactNotFoundError when a file is missing.
 */
export function prepareLocalSource(entry: ModelEntry, files: readonly ModelFile[], localDir: string | undefined): SourcePlan {
  if (!localDir) {
    throw new InvalidOptionError('localDir', `pulling "${entry.name}" from a local source needs the folder that holds its files (\`--from DIR\`).`);
  }
  const root = path.resolve(localDir);
  const rootIsFile = fs.existsSync(root) && fs.statSync(root).isFile();
  const locate = (file: ModelFile): string => {
    if (rootIsFile) {
      if (entry.mainFile === file.path && entry.files.length === 1) return root;
      throw new InvalidOptionError('localDir', `"${root}" is a file, but "${entry.name}" is a folder of ${entry.files.length} files; give the folder.`);
    }
    return path.join(root, ...file.path.split('/'));
  };
  for (const file of files) {
    const source = locate(file);
    if (!fs.existsSync(source)) throw new ArtifactNotFoundError(source, `File "${file.path}" of model "${entry.name}"`);
  }
  return {
    origin: `the local folder ${root}`,
    piecesFor(file) {
      const source = locate(file);
      return [{ label: source, open: async () => fs.createReadStream(source, { highWaterMark: 1 << 20 }) }];
    },
    async dispose() {},
  };
}
