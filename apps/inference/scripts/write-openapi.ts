// Writes apps/inference/openapi.json from the zod schemas (src/openapi.ts). A test fails when the
// committed file differs from what this writes:  npm run openapi -w @score/inference
import { fileURLToPath } from 'node:url';
import { writeFileAtomicSync } from '@score/core';
import { buildOpenApiDocument } from '../src/openapi';

const target = fileURLToPath(new URL('../openapi.json', import.meta.url));
writeFileAtomicSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${target}`);
