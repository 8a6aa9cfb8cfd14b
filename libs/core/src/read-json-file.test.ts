import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactNotFoundError, DataFormatError } from './errors';
import { readJsonFile } from './read-json-file';

describe('readJsonFile', () => {
  it('parses a file, and names the file and what it holds when it is missing or not JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-read-json-'));
    try {
      const good = path.join(dir, 'config.json');
      fs.writeFileSync(good, '{"hidden_size": 32, "names": ["a", "b"]}');
      expect(readJsonFile(good, 'The model config')).toEqual({ hidden_size: 32, names: ['a', 'b'] });
      const missing = path.join(dir, 'absent.json');
      expect(() => readJsonFile(missing, 'The model config')).toThrow(new ArtifactNotFoundError(missing, 'The model config').message);
      expect(() => readJsonFile(missing, 'A prepared dataset', { producedBy: 'prepare', reportedPath: dir })).toThrow(`A prepared dataset not found at ${dir}. Run the "prepare" stage first.`);
      const bad = path.join(dir, 'meta.json');
      fs.writeFileSync(bad, '{"formatVersion": 1,');
      let error: unknown;
      try {
        readJsonFile(bad, 'meta.json');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DataFormatError);
      expect((error as DataFormatError).path).toBe(bad);
      expect((error as Error).message).toContain('meta.json is not valid JSON.');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
