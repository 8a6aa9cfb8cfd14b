import fs from 'node:fs';
import { ArtifactNotFoundError, DataFormatError } from './errors';

/** Options of {@link readJsonFile}. */
export interface ReadJsonFileOptions {
  /** The stage that produces the file, named in the not-found error. @defaultValue none */
  readonly producedBy?: string;
  /** The path the not-found error names (e.g. the folder the file belongs to). @defaultValue the file's path */
  readonly reportedPath?: string;
}

/**
 * Reads and parses a JSON file (synchronously).
 * @param what - what the file holds, for the errors (e.g. "The model config (config.json)").
 * @throws ArtifactNotFoundError `<what> not found at <path>.` when the file cannot be read;
 *   DataFormatError `<path>: <what> is not valid JSON.` when it does not parse.
 */
export function readJsonFile(filePath: string, what: string, options: ReadJsonFileOptions = {}): unknown {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch {
    throw new ArtifactNotFoundError(options.reportedPath ?? filePath, what, options.producedBy);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new DataFormatError(`${what} is not valid JSON.`, { path: filePath, cause });
  }
}
