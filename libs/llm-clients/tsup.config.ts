import { libraryConfig } from '../../tsup.base';

// Two entries: the package and its `./testing` subpath (tiny GGUF fixtures for tests).
export default libraryConfig({ entry: ['src/index.ts', 'src/testing.ts'] });
