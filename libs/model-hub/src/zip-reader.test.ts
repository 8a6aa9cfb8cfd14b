import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openZipEntry, readZipDirectory } from './zip-reader';

/** Builds a zip archive by hand (PKWARE APPNOTE 4.3): local headers, data, central directory, end record. */
function buildZip(members: { name: string; data: Buffer; deflate: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const name = Buffer.from(member.name, 'utf8');
    const stored = member.deflate ? zlib.deflateRawSync(member.data) : member.data;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(member.deflate ? 8 : 0, 8);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(member.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    // An extra field in the local header only, as some writers do: the reader must skip it.
    local.writeUInt16LE(4, 28);
    const extra = Buffer.from([0xfe, 0xca, 0, 0]);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(member.deflate ? 8 : 0, 10);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(member.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, extra, stored);
    centrals.push(central, name);
    offset += 30 + name.length + extra.length + stored.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('zip reader', () => {
  it('lists members and streams stored, deflated and empty ones', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'zip-reader-'));
    const big = Buffer.alloc(3_000_000);
    for (let index = 0; index < big.length; index += 1) big[index] = (index * 7919) % 251;
    const members = [
      { name: 'pkg/__init__.py', data: Buffer.from('print("never run")\n'), deflate: false },
      { name: 'pkg/model/1_Pooling/config.json', data: Buffer.from('{"mean": true}'), deflate: true },
      { name: 'pkg/weights.bin', data: big, deflate: true },
      { name: 'pkg/_model/.gitkeep', data: Buffer.alloc(0), deflate: false },
    ];
    const zipPath = path.join(folder, 'pkg-1.0-py3-none-any.whl');
    fs.writeFileSync(zipPath, buildZip(members));
    const entries = await readZipDirectory(zipPath);
    expect(entries.map((entry) => [entry.name, entry.size, entry.method])).toEqual(members.map((member) => [member.name, member.data.length, member.deflate ? 8 : 0]));
    expect(entries[2].compressedSize).toBeLessThan(big.length);
    for (const [index, entry] of entries.entries()) {
      expect((await readAll(await openZipEntry(zipPath, entry))).equals(members[index].data)).toBe(true);
    }
  });

  it('refuses a file that is not a zip archive, naming it', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'zip-reader-'));
    const notZip = path.join(folder, 'index.html');
    fs.writeFileSync(notZip, '<html>rate limited</html>');
    await expect(readZipDirectory(notZip)).rejects.toThrow(`${notZip}: is not a zip archive`);
  });
});
