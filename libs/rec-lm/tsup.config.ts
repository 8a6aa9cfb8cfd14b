import { libraryConfig } from '../../tsup.base';

// The scoring and tuning worker threads' entries (openThreadedRecLm, tuneRecLmOnThread) are loaded by file name, so each is an entry of its own.
export default libraryConfig({ entry: ['src/index.ts', 'src/scoring-thread.ts', 'src/tuning-thread.ts'], dts: { entry: { index: 'src/index.ts' } } });
