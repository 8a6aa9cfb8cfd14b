import { libraryConfig } from '../../tsup.base';

// The scoring worker thread's entry (openThreadedRecLm) is loaded by file name, so it is an entry of its own.
export default libraryConfig({ entry: ['src/index.ts', 'src/scoring-thread.ts'], dts: { entry: { index: 'src/index.ts' } } });
