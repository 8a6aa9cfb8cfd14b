import { libraryConfig } from '../../tsup.base';

// The app bundles its CLI entry; the @score libraries stay external (workspace packages).
export default libraryConfig({ entry: ['src/main.ts'], dts: false });
