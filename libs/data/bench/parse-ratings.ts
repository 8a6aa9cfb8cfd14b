/**
 * Benchmark: parse a MovieLens-1M-scale `ratings.dat` (1,000,209 rows, 6,040 users x 3,706
 * movies, synthetic values in the real format) with the real streaming loader, and print rows/s,
 * seconds and peak RSS. Target: under 3 s and under 500 MB.
 *
 * Run: `npx nx run data:bench` (or `npm run bench -w @score/data`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Item } from '@score/core';
import { ML1M_PROTOCOL, prepareDataset, readMovieLens1M } from '../src/index';

const ROWS = 1_000_209;
const USERS = 6_040;
const MOVIES = 3_706;

function writeRatings(file: string): void {
  // Deterministic LCG, so every run parses the same bytes.
  let state = 12345;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  const fd = fs.openSync(file, 'w');
  let lines: string[] = [];
  let written = 0;
  for (let user = 1; user <= USERS; user++) {
    const count = Math.floor((ROWS * user) / USERS) - written;
    let time = 956703932 + Math.floor(next() * 60_000_000);
    for (let k = 0; k < count; k++) {
      time += Math.floor(next() * 400);
      lines.push(`${user}::${1 + Math.floor(next() * MOVIES)}::${1 + Math.floor(next() * 5)}::${time}`);
    }
    written += count;
    if (lines.length >= 50_000) {
      fs.writeSync(fd, `${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (lines.length > 0) fs.writeSync(fd, `${lines.join('\n')}\n`);
  fs.closeSync(fd);
}

async function main(): Promise<void> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'score-bench-ml1m-'));
  try {
    const file = path.join(directory, 'ratings.dat');
    writeRatings(file);
    const bytes = fs.statSync(file).size;
    const started = performance.now();
    let rows = 0;
    let ratingSum = 0;
    for await (const interaction of readMovieLens1M({ directory })) {
      rows++;
      ratingSum += interaction.rating ?? 0;
    }
    const seconds = (performance.now() - started) / 1000;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const report = {
      rows,
      megabytes: Number((bytes / 1e6).toFixed(1)),
      seconds: Number(seconds.toFixed(3)),
      rowsPerSecond: Math.round(rows / seconds),
      peakRssMb: Math.round(peakRssMb),
      meanRating: Number((ratingSum / rows).toFixed(3)),
      targets: { seconds: 3, peakRssMb: 500 },
      withinTargets: seconds < 3 && peakRssMb < 500,
    };
    process.stdout.write(`parse ratings.dat: ${report.rows.toLocaleString('en-US')} rows in ${report.seconds} s = ${report.rowsPerSecond.toLocaleString('en-US')} rows/s, peak RSS ${report.peakRssMb} MB\n`);
    process.stdout.write(`${JSON.stringify(report)}\n`);
    if (rows !== ROWS) throw new Error(`Parsed ${rows} rows, expected ${ROWS}.`);

    // The whole prepare step on the same file: parse, order, deduplicate, ML-1M protocol, histories.
    const items = new Map<string, Item>();
    for (let movie = 1; movie <= MOVIES; movie++) items.set(String(movie), { id: String(movie), title: `Movie ${movie} (1999)`, attributes: { genres: ['Drama'] } });
    const prepareStarted = performance.now();
    const dataset = await prepareDataset({ interactions: readMovieLens1M({ directory }), items, protocol: ML1M_PROTOCOL, name: 'bench', domain: 'movies' });
    const prepareSeconds = (performance.now() - prepareStarted) / 1000;
    const statistics = dataset.statistics();
    process.stdout.write(
      `prepare (parse + ML-1M protocol): ${prepareSeconds.toFixed(3)} s, kept ${dataset.size.toLocaleString('en-US')} rows (train/valid/test ${statistics.rows.train}/${statistics.rows.valid}/${statistics.rows.test}), duplicates removed ${statistics.duplicatesRemoved}, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`,
    );
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

await main();
