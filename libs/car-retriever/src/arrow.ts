import { createRequire } from 'node:module';
import type * as ArrowModule from 'apache-arrow';

/**
 * The `apache-arrow` module instance that `@lancedb/lancedb` itself uses.
 *
 * LanceDB is a CommonJS package and checks `instanceof arrow.Table`; an ESM `import` of
 * apache-arrow loads the package's separate ESM build, whose classes fail that check (the dual
 * package hazard). Loading the CommonJS build through `require` shares LanceDB's instance.
 */
export const arrow = createRequire(import.meta.url)('apache-arrow') as typeof ArrowModule;
