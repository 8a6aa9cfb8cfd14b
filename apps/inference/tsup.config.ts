import { libraryConfig } from '../../tsup.base';

// The app bundles its two CLI entries (score-serve, score-infer) and its library API; the @score
// libraries stay external (workspace packages).
export default libraryConfig({ entry: ['src/index.ts', 'src/main.ts', 'src/infer-main.ts'], dts: { entry: { index: 'src/index.ts' } } });
