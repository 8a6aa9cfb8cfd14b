// Loading your own data with @score/data: writes a generic `items.csv` and `interactions.csv` (made
// by the synthetic generator here; yours come from your logs), reads them, applies the ML-1M style
// protocol (rating > 3 is positive; calendar months 10/5/5), inspects a row and its history, and
// saves the prepared dataset into a run folder and loads it back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  formatStatistics,
  generateSyntheticInteractions,
  loadDataset,
  prepareDataset,
  readGenericInteractions,
  readGenericItems,
  saveDataset,
} from '@score/data';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'example-data-'));
const raw = generateSyntheticInteractions({ seed: 7, users: 80, items: 120 });
const quote = (text: string) => `"${text.replaceAll('"', '""')}"`;
fs.writeFileSync(
  path.join(directory, 'items.csv'),
  ['item_id,title,genres,year', ...[...raw.items.values()].map((item) => [item.id, quote(item.title), item.attributes.genres.join('|'), item.attributes.year[0]].join(','))].join('\n'),
);
fs.writeFileSync(
  path.join(directory, 'interactions.csv'),
  ['user_id,item_id,timestamp,rating', ...raw.interactions.map((row) => `${row.userId},${row.itemId},${row.timestamp},${row.rating}`)].join('\n'),
);

const dataset = await prepareDataset({
  interactions: readGenericInteractions({ path: path.join(directory, 'interactions.csv') }),
  items: await readGenericItems({ path: path.join(directory, 'items.csv') }),
  protocol: { kind: 'months', binarize: { threshold: 3 }, lastMonths: 20, trainMonths: 10, validMonths: 5, testMonths: 5 },
  name: 'example',
  domain: 'movies',
});
console.log(formatStatistics(dataset.statistics(), { name: dataset.name }));

const row = dataset.split('test')[0];
// The user's 10 most recent earlier positives as Items, most recent last: the form
// describeHistory of @score/prompt-kit takes (d(H(u))), with no glue in between.
const history = dataset.historyItems(row, 10);
console.log(`user ${row.userId}, item "${dataset.items.get(row.itemId)?.title}": label ${row.label}, ${history.length} items of history (last: ${history.at(-1)?.title})`);
console.log(history.length > 0 && history.every((item) => typeof item.title === 'string')); // true

await saveDataset(dataset, path.join(directory, 'run'));
const again = await loadDataset(path.join(directory, 'run'));
console.log(JSON.stringify(again.statistics()) === JSON.stringify(dataset.statistics())); // true
fs.rmSync(directory, { recursive: true, force: true });
