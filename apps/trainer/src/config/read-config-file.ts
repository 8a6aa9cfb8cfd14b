import fs from 'node:fs';
import path from 'node:path';
import { ArtifactNotFoundError, DataFormatError } from '@score/core';
import { parseDocument } from 'yaml';

/** How a config file is read: by its extension (.json, .yaml, .yml), else by its first character. */
export type ConfigFileFormat = 'json' | 'yaml';

/** The format of a config file: `.json` is JSON, `.yaml`/`.yml` YAML, otherwise JSON when it starts with `{`. */
export function configFileFormat(filePath: string, text: string): ConfigFileFormat {
  const extension = path.extname(filePath).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function parseJson(filePath: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const lineColumn = /line (\d+) column (\d+)/.exec(message);
    const position = /position (\d+)/.exec(message);
    const line = lineColumn ? Number(lineColumn[1]) : position ? lineOfOffset(text, Number(position[1])) : undefined;
    throw new DataFormatError(`the file is not valid JSON (${message}).`, { path: filePath, line, cause });
  }
}

function parseYamlText(filePath: string, text: string): unknown {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const problem = document.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line ?? lineOfOffset(text, problem.pos[0]);
    throw new DataFormatError(`the file is not valid YAML: ${problem.message.split('\n')[0]}.`, { path: filePath, line, cause: problem });
  }
  return document.toJS();
}

/**
 * Reads a config file (YAML or JSON, see {@link configFileFormat}) into a plain object.
 * Throws {@link ArtifactNotFoundError} when it does not exist and {@link DataFormatError} (with
 * the line) when it cannot be parsed or its top level is not a mapping. An empty file is `{}`.
 */
export function readConfigFile(filePath: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactNotFoundError(filePath, 'Config file');
    throw new DataFormatError(`the config file cannot be read (${(cause as Error).message}).`, { path: filePath, cause });
  }
  const value = configFileFormat(filePath, text) === 'json' ? parseJson(filePath, text) : parseYamlText(filePath, text);
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new DataFormatError('the top level must be a mapping of sections (run, data, crm, car, assess, sare, rec, eval).', { path: filePath, line: 1 });
  }
  return value as Record<string, unknown>;
}
