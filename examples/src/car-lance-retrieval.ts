// CAR retrieval from a LanceDB index with @score/car-retriever: stores users' behaviour vectors with
// their text and the time they were observed, then searches by cosine, only among behaviour from
// before the target's timestamp and never the target user themself (no leakage), and measures the
// index's recall against exact search.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LanceVectorIndex } from '@score/car-retriever';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-car-'));
const index = await LanceVectorIndex.create({ dir, dimensions: 2 });
await index.add([
  { id: 'ann', vector: Float32Array.from([1, 0]), text: '"Heat (1995)"', asOf: 100 },
  { id: 'bob', vector: Float32Array.from([0.6, 0.8]), text: '"Fargo (1996)"', asOf: 300 },
  { id: 'cat', vector: Float32Array.from([0, 1]), text: '"Babe (1995)"', asOf: 50 },
]);
const query = Float32Array.from([0.8, 0.6]);
console.log((await index.search(query, { limit: 2 })).map((hit) => hit.id).join(', ')); // bob, ann
// Only behaviour from before t = 200, never the target user "ann":
const hits = await index.search(query, { limit: 2, before: 200, excludeIds: ['ann'] });
console.log(hits.map((hit) => `${hit.id} ${hit.score.toFixed(2)} ${hit.text}`).join('; ')); // cat 0.60 "Babe (1995)"
console.log(await index.count()); // 3
console.log((await index.measureRecall({ queries: [query], k: 2 })).recall); // 1
await index.close();
fs.rmSync(dir, { recursive: true, force: true });
