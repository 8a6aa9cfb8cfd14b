// Writes apps/inference/openapi.json from the zod schemas (src/openapi.ts). A test fails when the
// committed file differs from what this writes:  npm run openapi -w @score/inference
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '../src/openapi';

const target = fileURLToPath(new URL('../openapi.json', import.meta.url));
const temporary = `${target}.tmp-${process.pid}`;
fs.writeFileSync(temporary, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
fs.renameSync(temporary, target);
console.log(`wrote ${target}`);
