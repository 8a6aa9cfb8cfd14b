import { libraryConfig } from '../../tsup.base';

// The app bundles its two CLI entries (score-serve, score-infer), its library API and the scoring
// worker thread's entry (loaded by file name, so it must stay a file of its own); the @score
// libraries stay external (workspace packages).
export default libraryConfig({ entry: ['src/index.ts', 'src/main.ts', 'src/infer-main.ts', 'src/scoring-worker.ts'], dts: { entry: { index: 'src/index.ts' } } });
