import { libraryConfig } from '../../tsup.base';

// The encoder worker thread's entry (openThreadedTextEncoder) is loaded by file name, so it is an entry of its own.
export default libraryConfig({ entry: ['src/index.ts', 'src/encoder-thread.ts'], dts: { entry: { index: 'src/index.ts' } } });
