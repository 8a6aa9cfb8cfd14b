// Runs the test stages in a run folder with crm.epochs=7; the crm stage stops half-way through its
// write, creates the marker file and waits forever, so the test can kill this process there.
// Usage: node --conditions=@score/source --import tsx killable-run.ts RUN_DIR MARKER_FILE
import fs from 'node:fs';
import { loadConfig } from '../../config/load-config';
import { runPipeline } from '../run-pipeline';
import { createTestStages } from './test-stages';

const [runDir, marker] = process.argv.slice(2) as [string, string];
const { config } = loadConfig({ values: { run: { dir: runDir }, crm: { epochs: 7 } } });
const stages = createTestStages({
  calls: new Map(),
  midWrite: {
    crm: async () => {
      fs.writeFileSync(marker, String(process.pid));
      setInterval(() => {}, 1000);
      await new Promise(() => {});
    },
  },
});
await runPipeline({ config, stages });
