import fs from 'node:fs';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { DataFormatError } from '@score/core';

/** One member of a zip archive, from its central directory. */
export interface ZipEntry {
  /** Member path inside the archive, `/`-separated. */
  readonly name: string;
  /** 0 (stored) or 8 (deflated); other methods are refused when read. */
  readonly method: number;
  /** Bytes stored in the archive. */
  readonly compressedSize: number;
  /** Bytes once inflated. */
  readonly size: number;
  /** Offset of the member's local header. */
  readonly localHeaderOffset: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const ZIP64_MARKER = 0xffffffff;

async function readAt(handle: fs.promises.FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/**
 * Lists the members of a zip archive (a Python wheel) from its central directory, following
 * the PKWARE APPNOTE layout (end-of-central-directory record, then one header per member).
 * @throws DataFormatError when the file is not a zip archive, or uses ZIP64 (wheels of this registry never do).
 */
export async function readZipDirectory(zipPath: string): Promise<ZipEntry[]> {
  const handle = await fs.promises.open(zipPath, 'r');
  try {
    const { size } = await handle.stat();
    // The end record is 22 bytes plus a comment of at most 65,535 bytes.
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = await readAt(handle, size - tailLength, tailLength);
    let end = -1;
    for (let index = tail.length - 22; index >= 0; index -= 1) {
      if (tail.readUInt32LE(index) === END_OF_CENTRAL_DIRECTORY) {
        end = index;
        break;
      }
    }
    if (end < 0) throw new DataFormatError('is not a zip archive (no end-of-central-directory record); a wheel is a zip file.', { path: zipPath });
    const count = tail.readUInt16LE(end + 10);
    const directorySize = tail.readUInt32LE(end + 12);
    const directoryOffset = tail.readUInt32LE(end + 16);
    if (directoryOffset === ZIP64_MARKER || directorySize === ZIP64_MARKER) {
      throw new DataFormatError('is a ZIP64 archive, which this reader does not support.', { path: zipPath });
    }
    const directory = await readAt(handle, directoryOffset, directorySize);
    const entries: ZipEntry[] = [];
    let offset = 0;
    for (let index = 0; index < count; index += 1) {
      if (offset + 46 > directory.length || directory.readUInt32LE(offset) !== CENTRAL_DIRECTORY_HEADER) {
        throw new DataFormatError(`has a damaged central directory (member ${index + 1} of ${count}).`, { path: zipPath });
      }
      const nameLength = directory.readUInt16LE(offset + 28);
      const extraLength = directory.readUInt16LE(offset + 30);
      const commentLength = directory.readUInt16LE(offset + 32);
      const entry: ZipEntry = {
        name: directory.toString('utf8', offset + 46, offset + 46 + nameLength),
        method: directory.readUInt16LE(offset + 10),
        compressedSize: directory.readUInt32LE(offset + 20),
        size: directory.readUInt32LE(offset + 24),
        localHeaderOffset: directory.readUInt32LE(offset + 42),
      };
      if (entry.compressedSize === ZIP64_MARKER || entry.size === ZIP64_MARKER || entry.localHeaderOffset === ZIP64_MARKER) {
        throw new DataFormatError(`member ${entry.name} uses ZIP64 sizes, which this reader does not support.`, { path: zipPath });
      }
      entries.push(entry);
      offset += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    await handle.close();
  }
}

/**
 * A stream of one member's inflated bytes, read straight from the archive (never whole in memory).
 * @throws DataFormatError for a damaged local header or a compression method other than stored or deflate.
 */
export async function openZipEntry(zipPath: string, entry: ZipEntry): Promise<Readable> {
  const handle = await fs.promises.open(zipPath, 'r');
  let header: Buffer;
  try {
    header = await readAt(handle, entry.localHeaderOffset, 30);
  } finally {
    await handle.close();
  }
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_FILE_HEADER) {
    throw new DataFormatError(`member ${entry.name} has no local header at offset ${entry.localHeaderOffset}.`, { path: zipPath });
  }
  const dataOffset = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (entry.method !== 0 && entry.method !== 8) {
    throw new DataFormatError(`member ${entry.name} uses compression method ${entry.method}; only 0 (stored) and 8 (deflate) are supported.`, { path: zipPath });
  }
  if (entry.compressedSize === 0) return Readable.from([]);
  const raw = fs.createReadStream(zipPath, { start: dataOffset, end: dataOffset + entry.compressedSize - 1, highWaterMark: 1 << 20 });
  if (entry.method === 0) return raw;
  const inflate = zlib.createInflateRaw({ chunkSize: 1 << 20 });
  raw.on('error', (error) => inflate.destroy(error));
  return raw.pipe(inflate);
}
