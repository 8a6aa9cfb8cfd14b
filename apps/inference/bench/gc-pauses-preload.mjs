// Preloaded into the score-serve child of healthz-bench.ts (`node --import THIS_FILE`): records every
// garbage-collection pause of the main thread (a PerformanceObserver on `gc` entries sees the isolate
// it runs in, so the workers' collections are not counted) and, when the process exits, writes them
// to the file named by SCORE_BENCH_GC_LOG as one JSON line `{"pauses":[[epochMs, durationMs, kind],...]}`.
import fs from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';

const target = process.env['SCORE_BENCH_GC_LOG'];
if (target) {
  const kinds = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb' };
  const pauses = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push([performance.timeOrigin + entry.startTime, entry.duration, kinds[entry.detail?.kind] ?? 'other']);
  }).observe({ entryTypes: ['gc'] });
  process.on('exit', () => fs.writeFileSync(target, `${JSON.stringify({ pauses })}\n`));
}
