/**
 * Benchmark: CSV reading with quotes. Prints the seconds to read 40,000 interaction lines (a) with
 * a quoted multi-line field on every third line, and (b) with a stray quote on line 2 that is
 * never closed (read until the reader gives up, naming line 2). Both are linear: before the
 * one-pass record reader, (b) took 69 s (every line re-split the growing record).
 *
 * Run: `npx tsx --conditions=@score/source libs/data/bench/quoted-csv.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readGenericInteractions, readGenericItems } from '../src/index';

const LINES = 40_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-bench-quoted-'));
try {
  const items = path.join(dir, 'items.csv');
  const body = Array.from({ length: LINES }, (_, index) => (index % 3 === 0 ? `i${index},"Title, ""${index}""\nsecond line",Drama|Comedy` : `i${index},Plain ${index},Action`));
  fs.writeFileSync(items, `item_id,title,genres\n${body.join('\n')}\n`);
  let start = performance.now();
  const read = await readGenericItems({ path: items });
  console.log(`quoted multi-line fields: ${read.size} items from ${LINES + Math.ceil(LINES / 3)} lines in ${((performance.now() - start) / 1000).toFixed(2)} s`);

  const stray = path.join(dir, 'stray.csv');
  const rows = Array.from({ length: LINES }, (_, index) => `u${index % 97},i${index % 331},${1_000_000 + index},4,${'x'.repeat(70)}`);
  fs.writeFileSync(stray, `user_id,item_id,timestamp,rating,note\nu0,i0,1,5,"never closed\n${rows.join('\n')}\n`);
  start = performance.now();
  let message = 'accepted (wrong)';
  try {
    for await (const _ of readGenericInteractions({ path: stray }));
  } catch (error) {
    message = (error as Error).message;
  }
  console.log(`stray quote in ${LINES} lines: failed in ${((performance.now() - start) / 1000).toFixed(2)} s: ${message.slice(message.lastIndexOf('/') + 1, 160)}`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
