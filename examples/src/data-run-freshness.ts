// Run-folder freshness with @score/data: `score-train` records, for each finished stage of a run,
// the hash of its output and the output hashes of the upstream stages it read (manifest.json).
// `checkRunFreshness` finds the stages whose inputs changed after they ran, or are stale
// themselves; `score-serve` refuses such a run (`assertRunFresh`) and `score-train run` redoes
// them. This program writes a manifest as `score-train` would after `prepare` was redone with
// other data on a finished run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertRunFresh, checkRunFreshness, RUN_MANIFEST_FILE } from '@score/data';

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-freshness-'));
const hash = (text: string) => text.repeat(64).slice(0, 64);
const manifest = {
  stages: {
    prepare: { outputHash: hash('b') }, // redone: it was hash('a') when crm ran
    crm: { outputHash: hash('c'), inputs: { upstream: { prepare: hash('a') } } },
    car: { outputHash: hash('d'), inputs: { upstream: { prepare: hash('b'), crm: hash('c') } } },
  },
};
fs.writeFileSync(path.join(runDir, RUN_MANIFEST_FILE), JSON.stringify(manifest));

const { fresh, stale } = await checkRunFreshness(runDir);
console.log(fresh); // false
console.log(stale.map((entry) => `${entry.stage}: ${entry.reason}`).join('; ')); // crm: its input "prepare" changed after it ran; car: its input "crm" is stale
const error = await assertRunFresh(runDir).catch((caught: unknown) => caught as Error);
console.log(error?.name); // StaleRunError
fs.rmSync(runDir, { recursive: true, force: true });
