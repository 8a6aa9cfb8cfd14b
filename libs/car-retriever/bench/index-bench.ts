/**
 * LanceDB index benchmark: build time, exact and ANN query latency (p50/p99) and ANN recall@10
 * against exact search, on synthetic L2-normalised vectors at growing table sizes.
 *
 *   npx nx run car-retriever:bench                      # 64 dimensions, 10k/100k/1M, both distributions
 *   npm run bench -w @score/car-retriever -- --dimensions 384 --sizes 10000,100000
 *
 * Flags: --dimensions N (64), --sizes a,b,c (10000,100000,1000000), --distribution
 * uniform|clustered|both (both), --queries N (200, timed ANN queries), --recall-queries N (100,
 * queries also searched exactly), --kind hnsw-sq|hnsw-pq|ivf-pq|ivf-flat|ivf-rq (hnsw-sq),
 * --m N, --ef-construction N, --ef N, --refine N, --nprobes N (the library defaults when absent),
 * --dir PATH (a fresh temp folder, removed afterwards), --sweep EF:REFINE,... (after the main
 * measurement, the same timed and recall queries again with each per-query `annSearch` setting,
 * on the same index: e.g. --sweep 400:4,200:2,100:2).
 *
 * --distribution encoder: vectors made by the run's own CAR encoder (bench/encoder-vectors.ts: the
 * CAR stage fine-tunes the pooled encoder on the synthetic dataset, --base-texts N (20000)
 * behaviour texts are encoded, each vector is one of them plus noise --noise X (0.5) x their
 * median nearest-neighbour distance; --car-epochs N (2)); --dimensions is then the encoder width
 * (the run default is 256). --num-partitions N sets the ANN build's partitions; --skip-filtered
 * skips the old prefiltered measurement. --warmup N: untimed queries before each timed pass (default:
 * the whole query set once, so the timed queries meet a warm index, as a serving replica does).
 *
 * Every row also times the service's query path ("service"): what CorpusRetriever.retrieve
 * asks at serving time, `search(query, { limit: 10, before: after every entry, excludeIds:
 * [target] })`, which runs without a prefilter (the time filter is dropped, the target is
 * removed from an unfiltered search), with its recall against exact search under the same rule.
 * The 1M target (p99 < 10 ms, recall@10 >= 0.95) is judged on that path.
 *
 * Uniform directions on the sphere are the hardest case for ANN (no structure to exploit);
 * the clustered set (a mixture of 1,000 Gaussians) is closer to real text embeddings. The HNSW
 * build dominates the run time: at 1M rows, about 3 minutes on 2 idle cores (clustered), 16-25
 * minutes on 2 busy cores. Peak memory stays near 1 GB (vectors are generated and inserted in chunks
 * of 50,000).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LanceVectorIndex, annRecallAtK, type AnnIndexKind } from '../src/index';
import { createVectorSource } from '../src/test-fixtures/synthetic-vectors';
import { createEncoderVectorSource } from './encoder-vectors';

const { values } = parseArgs({
  options: {
    dimensions: { type: 'string', default: '64' },
    sizes: { type: 'string', default: '10000,100000,1000000' },
    distribution: { type: 'string', default: 'both' },
    queries: { type: 'string', default: '200' },
    'recall-queries': { type: 'string', default: '100' },
    kind: { type: 'string', default: 'hnsw-sq' },
    m: { type: 'string' },
    sweep: { type: 'string' },
    'ef-construction': { type: 'string' },
    ef: { type: 'string' },
    refine: { type: 'string' },
    nprobes: { type: 'string' },
    dir: { type: 'string' },
    'base-texts': { type: 'string', default: '20000' },
    noise: { type: 'string', default: '0.5' },
    'car-epochs': { type: 'string', default: '2' },
    'num-partitions': { type: 'string' },
    'skip-filtered': { type: 'boolean', default: false },
    warmup: { type: 'string' },
  },
});

const optionalInteger = (value: string | undefined) => (value === undefined ? undefined : Number.parseInt(value, 10));
const dimensions = Number.parseInt(values.dimensions, 10);
const sizes = values.sizes.split(',').map((size) => Number.parseInt(size, 10)).sort((a, b) => a - b);
if (!['both', 'uniform', 'clustered', 'encoder'].includes(values.distribution)) {
  throw new Error(`--distribution must be uniform, clustered, encoder or both, got ${JSON.stringify(values.distribution)}.`);
}
const distributions = values.distribution === 'both' ? (['uniform', 'clustered'] as const) : [values.distribution as 'uniform' | 'clustered' | 'encoder'];
const queryCount = Number.parseInt(values.queries, 10);
const recallCount = Math.min(queryCount, Number.parseInt(values['recall-queries'], 10));
// Untimed queries before each timed pass: by default one pass over the whole query set, so the
// index's pages are in memory as in a serving replica after its first seconds (right after the
// build, the first pass over a 1M-row index pays page faults that a warm server never sees).
const warmupCount = values.warmup === undefined ? queryCount : Math.min(queryCount, Number.parseInt(values.warmup, 10));
const filteredRecallCount = Math.min(recallCount, 20);
const k = 10;
const chunk = 50_000;

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

interface Row {
  distribution: string;
  rows: number;
  insertSeconds: number;
  buildSeconds: number;
  exact: [number, number];
  ann: [number, number];
  recall: number;
  filtered: [number, number];
  filteredRecall: number;
  /** The service's query: before = after every entry, the target user excluded. */
  service: [number, number];
  serviceRecall: number;
}

/** Times each ANN query (after the warm-up queries) and keeps its hits' row ids. */
async function timedSearches(index: LanceVectorIndex, queries: readonly Float32Array[], extra: { annSearch?: { ef: number; refineFactor: number } }): Promise<{ times: number[]; found: string[][] }> {
  const times: number[] = [];
  const found: string[][] = [];
  for (const query of queries.slice(0, warmupCount)) await index.search(query, { limit: k, ...extra });
  for (const query of queries) {
    const started = performance.now();
    const hits = await index.search(query, { limit: k, ...extra });
    times.push(performance.now() - started);
    found.push(hits.map((hit) => hit.rowId));
  }
  return { times, found };
}

const root = values.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'car-index-bench-'));
const results: Row[] = [];
const sweeps: { distribution: string; rows: number; setting: string; ann: [number, number]; recall: number }[] = [];
const load = os.loadavg()[0];

for (const distribution of distributions) {
  const source =
    distribution === 'encoder'
      ? await createEncoderVectorSource({
          dir: path.join(root, 'encoder-car'),
          dimensions,
          seed: 42,
          baseTexts: Number.parseInt(values['base-texts'], 10),
          noise: Number.parseFloat(values.noise),
          epochs: Number.parseInt(values['car-epochs'], 10),
          log: (message) => console.log(message),
        })
      : createVectorSource({ dimensions, seed: 42, distribution });
  const index = await LanceVectorIndex.create({
    dir: path.join(root, distribution),
    dimensions,
    mode: 'overwrite',
    ann: {
      threshold: Infinity,
      kind: values.kind as AnnIndexKind,
      params: { m: optionalInteger(values.m), efConstruction: optionalInteger(values['ef-construction']), numPartitions: optionalInteger(values['num-partitions']) },
      search: { ef: optionalInteger(values.ef), refineFactor: optionalInteger(values.refine), nprobes: optionalInteger(values.nprobes) },
    },
  });
  const queryData = source.next(queryCount);
  const queries = Array.from({ length: queryCount }, (_, q) => queryData.subarray(q * dimensions, (q + 1) * dimensions));
  let inserted = 0;
  for (const size of sizes) {
    let started = performance.now();
    while (inserted < size) {
      const count = Math.min(chunk, size - inserted);
      const vectors = source.next(count);
      await index.add(
        Array.from({ length: count }, (_, i) => ({
          id: `u${inserted + i}`,
          vector: vectors.subarray(i * dimensions, (i + 1) * dimensions),
          asOf: inserted + i,
        })),
      );
      inserted += count;
    }
    const insertSeconds = (performance.now() - started) / 1000;
    // Exact (flat) scans; they are also the ground truth for recall.
    const exactTimes: number[] = [];
    const truth: string[][] = [];
    for (const query of queries.slice(0, 3)) await index.search(query, { limit: k, exact: true });
    for (const query of queries.slice(0, recallCount)) {
      started = performance.now();
      const hits = await index.search(query, { limit: k, exact: true });
      exactTimes.push(performance.now() - started);
      truth.push(hits.map((hit) => hit.rowId));
    }
    started = performance.now();
    const report = await index.buildAnnIndex();
    const buildSeconds = (performance.now() - started) / 1000;
    const { times: annTimes, found } = await timedSearches(index, queries, {});
    // The service's query (CorpusRetriever.retrieve at serving time): before = the serving time,
    // after every indexed entry, and the target user (here: user q for query q) excluded.
    const serveAt = size + 1;
    const serviceTimes: number[] = [];
    const serviceFound: string[][] = [];
    const serviceTruth: string[][] = [];
    for (const query of queries.slice(0, warmupCount)) await index.search(query, { limit: k, before: serveAt, excludeIds: ['u0'] });
    // All timed queries first: an exact scan between two of them would evict the index's pages.
    for (const [q, query] of queries.entries()) {
      started = performance.now();
      const hits = await index.search(query, { limit: k, before: serveAt, excludeIds: [`u${q}`] });
      serviceTimes.push(performance.now() - started);
      if (q < recallCount) serviceFound.push(hits.map((hit) => hit.rowId));
    }
    for (const [q, query] of queries.slice(0, recallCount).entries()) {
      serviceTruth.push((await index.search(query, { limit: k, before: serveAt, excludeIds: [`u${q}`], exact: true })).map((hit) => hit.rowId));
    }
    // ANN with the leakage prefilter: only the older half of the rows (asOf < size / 2).
    const before = Math.floor(size / 2);
    const filteredTimes: number[] = [];
    const filteredFound: string[][] = [];
    const filteredTruth: string[][] = [];
    for (const [q, query] of (values['skip-filtered'] ? [] : queries).entries()) {
      started = performance.now();
      const hits = await index.search(query, { limit: k, before });
      filteredTimes.push(performance.now() - started);
      if (q < filteredRecallCount) {
        filteredFound.push(hits.map((hit) => hit.rowId));
        filteredTruth.push((await index.search(query, { limit: k, before, exact: true })).map((hit) => hit.rowId));
      }
    }
    const row: Row = {
      distribution,
      rows: report.rows,
      insertSeconds,
      buildSeconds,
      exact: [percentile(exactTimes, 0.5), percentile(exactTimes, 0.99)],
      ann: [percentile(annTimes, 0.5), percentile(annTimes, 0.99)],
      recall: annRecallAtK(found.slice(0, recallCount), truth, k),
      filtered: filteredTimes.length === 0 ? [NaN, NaN] : [percentile(filteredTimes, 0.5), percentile(filteredTimes, 0.99)],
      filteredRecall: filteredTimes.length === 0 ? NaN : annRecallAtK(filteredFound, filteredTruth, k),
      service: [percentile(serviceTimes, 0.5), percentile(serviceTimes, 0.99)],
      serviceRecall: annRecallAtK(serviceFound, serviceTruth, k),
    };
    results.push(row);
    for (const setting of (values.sweep ?? '').split(',').filter((entry) => entry.trim().length > 0)) {
      const [ef, refineFactor] = setting.split(':').map(Number);
      const annSearch = { ef, refineFactor: refineFactor ?? 0 };
      const { times, found: hitsFound } = await timedSearches(index, queries, { annSearch });
      sweeps.push({ distribution, rows: report.rows, setting: `ef ${ef}, refineFactor ${annSearch.refineFactor}`, ann: [percentile(times, 0.5), percentile(times, 0.99)], recall: annRecallAtK(hitsFound.slice(0, recallCount), truth, k) });
    }
    console.log(
      `${distribution} ${size}: insert ${insertSeconds.toFixed(1)} s, ${index.annIndexKind} build ${buildSeconds.toFixed(1)} s, ` +
        `ANN p99 ${row.ann[1].toFixed(2)} ms, recall@${k} ${row.recall.toFixed(3)}; service path p50 ${row.service[0].toFixed(2)} ms, p99 ${row.service[1].toFixed(2)} ms, recall@${k} ${row.serviceRecall.toFixed(3)} (load ${os.loadavg()[0].toFixed(2)})`,
    );
  }
  await index.close();
}
if (values.dir === undefined) fs.rmSync(root, { recursive: true, force: true });

const ann = resolveSettingsLabel();
function resolveSettingsLabel(): string {
  const parts = [`kind ${values.kind}`];
  for (const key of ['m', 'ef-construction', 'ef', 'refine', 'nprobes'] as const) {
    if (values[key] !== undefined) parts.push(`${key} ${values[key]}`);
  }
  return parts.join(', ');
}

const header = ['distribution', 'rows', 'insert s', 'ANN build s', 'exact p50 ms', 'exact p99 ms', 'ANN p50 ms', 'ANN p99 ms', `recall@${k}`, 'filtered p50 ms', 'filtered p99 ms', 'filtered recall', 'service p50 ms', 'service p99 ms', 'service recall', 'target (service path)'];
const table = results.map((r) => [
  r.distribution,
  String(r.rows),
  r.insertSeconds.toFixed(1),
  r.buildSeconds.toFixed(1),
  r.exact[0].toFixed(2),
  r.exact[1].toFixed(2),
  r.ann[0].toFixed(2),
  r.ann[1].toFixed(2),
  r.recall.toFixed(3),
  r.filtered[0].toFixed(2),
  r.filtered[1].toFixed(2),
  r.filteredRecall.toFixed(3),
  r.service[0].toFixed(2),
  r.service[1].toFixed(2),
  r.serviceRecall.toFixed(3),
  r.rows >= 1_000_000 ? (r.service[1] < 10 && r.serviceRecall >= 0.95 ? 'met' : 'MISSED') : '',
]);
const widths = header.map((h, c) => Math.max(h.length, ...table.map((row) => row[c].length)));
const line = (cells: readonly string[]) => cells.map((cell, c) => cell.padStart(widths[c])).join('  ');
console.log('');
console.log(`LanceDB index benchmark: ${dimensions} dimensions, cosine, ${queryCount} timed ANN queries, ${recallCount} exact queries (recall ground truth), ANN settings: ${ann} (others: library defaults).`);
console.log(line(header));
for (const row of table) console.log(line(row));
for (const sweep of sweeps) {
  const met = sweep.rows >= 1_000_000 ? (sweep.ann[1] < 10 && sweep.recall >= 0.95 ? '  met' : '  MISSED') : '';
  console.log(`sweep ${sweep.distribution} ${sweep.rows} (${sweep.setting}): ANN p50 ${sweep.ann[0].toFixed(2)} ms, p99 ${sweep.ann[1].toFixed(2)} ms, recall@${k} ${sweep.recall.toFixed(3)}${met}`);
}
console.log(
  `"filtered": ANN search with the leakage prefilter before = half the rows (asOf < n/2); its recall over ${filteredRecallCount} queries. ` +
    '"service": the query the service makes (CorpusRetriever at serving time: before = after every entry, so no time prefilter; ' +
    `the target user excluded from an unfiltered search), recall against exact search with the same rule over ${recallCount} queries.`,
);
console.log('');
console.log(
  `Note: ${os.cpus().length} CPU cores, load average ${load.toFixed(2)} at start. Latencies are wall time of single ` +
    'queries from Node (one at a time) and depend on what else runs on the machine; rerun on an idle machine for reference figures. ' +
    'Target at 1M rows: ANN p99 < 10 ms with recall@10 >= 0.95.',
);
