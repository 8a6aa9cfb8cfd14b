import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { replaceFolder, temporaryPathFor, writeFileAtomic, writeFileAtomicSync, writeJsonAtomic, writeLinesAtomic } from './atomic-write';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-atomic-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes strings, buffers, chunk lists and streams, creating the folder', async () => {
    const target = path.join(dir, 'sub', 'a.txt');
    await writeFileAtomic(target, 'hello');
    expect(fs.readFileSync(target, 'utf8')).toBe('hello');
    await writeFileAtomic(target, new Uint8Array([104, 105]));
    expect(fs.readFileSync(target, 'utf8')).toBe('hi');
    await writeFileAtomic(target, ['a', new Uint8Array([98]), 'c']);
    expect(fs.readFileSync(target, 'utf8')).toBe('abc');
    const source = path.join(dir, 'source.bin');
    fs.writeFileSync(source, Buffer.alloc(200_000, 7));
    await writeFileAtomic(target, fs.createReadStream(source, { highWaterMark: 4096 }));
    expect(fs.readFileSync(target).equals(Buffer.alloc(200_000, 7))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'sub'))).toEqual(['a.txt']);
  });

  it('leaves the old file and no temporary file when the source fails mid-write', async () => {
    const target = path.join(dir, 'a.txt');
    fs.writeFileSync(target, 'old');
    async function* failing(): AsyncGenerator<string> {
      yield 'new part';
      throw new Error('source broke');
    }
    await expect(writeFileAtomic(target, failing())).rejects.toThrow('source broke');
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['a.txt']);
  });

  it('fsyncs the temporary file before renaming it', async () => {
    const probe = await fs.promises.open(path.join(dir, 'probe'), 'w');
    const sync = vi.spyOn(Object.getPrototypeOf(probe) as { sync(): Promise<void> }, 'sync');
    await probe.close();
    const rename = vi.spyOn(fs.promises, 'rename');
    await writeFileAtomic(path.join(dir, 'a.txt'), 'x');
    expect(sync).toHaveBeenCalledTimes(1);
    expect(rename).toHaveBeenCalledTimes(1);
    expect(sync.mock.invocationCallOrder[0]!).toBeLessThan(rename.mock.invocationCallOrder[0]!);
  });

  it('writes lines and JSON', async () => {
    await writeLinesAtomic(path.join(dir, 'l.txt'), ['a', 'b']);
    expect(fs.readFileSync(path.join(dir, 'l.txt'), 'utf8')).toBe('a\nb\n');
    await writeJsonAtomic(path.join(dir, 'j.json'), { a: 1 });
    expect(fs.readFileSync(path.join(dir, 'j.json'), 'utf8')).toBe('{\n  "a": 1\n}\n');
  });
});

describe('writeFileAtomicSync', () => {
  it('fsyncs, renames, and on failure keeps the old file and removes the temporary one', () => {
    const target = path.join(dir, 'a.txt');
    const fsync = vi.spyOn(fs, 'fsyncSync');
    writeFileAtomicSync(target, 'old');
    expect(fsync).toHaveBeenCalledTimes(1);
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    vi.spyOn(fs, 'renameSync').mockImplementationOnce(() => {
      throw new Error('disk gone');
    });
    expect(() => writeFileAtomicSync(target, 'new')).toThrow('disk gone');
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['a.txt']);
  });
});

describe('temporaryPathFor', () => {
  it('names a hidden sibling with the pid and 8 hex digits', () => {
    const name = path.basename(temporaryPathFor(path.join(dir, 'rec')));
    expect(name).toMatch(new RegExp(`^\\.rec\\.tmp-${process.pid}-[0-9a-f]{8}$`));
    expect(path.basename(temporaryPathFor(path.join(dir, 'rec'), 'old'))).toMatch(/^\.rec\.old-\d+-[0-9a-f]{8}$/);
  });
});

describe('replaceFolder', () => {
  it('replaces a folder all-or-nothing', async () => {
    const target = path.join(dir, 'out');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'old.txt'), 'old');
    await expect(
      replaceFolder(target, async (temporary) => {
        fs.writeFileSync(path.join(temporary, 'new.txt'), 'half');
        throw new Error('stage failed');
      }),
    ).rejects.toThrow('stage failed');
    expect(fs.readdirSync(dir)).toEqual(['out']);
    expect(fs.readdirSync(target)).toEqual(['old.txt']);

    expect(
      await replaceFolder(target, async (temporary) => {
        fs.writeFileSync(path.join(temporary, 'new.txt'), 'new');
      }),
    ).toBe(target);
    expect(fs.readdirSync(dir)).toEqual(['out']);
    expect(fs.readdirSync(target)).toEqual(['new.txt']);
    expect(fs.readFileSync(path.join(target, 'new.txt'), 'utf8')).toBe('new');
  });

  it('puts the old folder back when the new one cannot be moved in', async () => {
    const target = path.join(dir, 'out');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'old.txt'), 'old');
    const rename = fs.promises.rename.bind(fs.promises);
    vi.spyOn(fs.promises, 'rename').mockImplementation(async (from, to) => {
      if (String(from).includes('.tmp-')) throw new Error('rename failed');
      await rename(from, to);
    });
    await expect(replaceFolder(target, async (temporary) => fs.writeFileSync(path.join(temporary, 'new.txt'), 'new'))).rejects.toThrow('rename failed');
    expect(fs.readdirSync(dir)).toEqual(['out']);
    expect(fs.readdirSync(target)).toEqual(['old.txt']);
  });
});
