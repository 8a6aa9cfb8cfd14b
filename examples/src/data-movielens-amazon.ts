// The paper's datasets with @score/data: MovieLens-1M (ratings.dat, movies.dat) and Amazon Video
// Games (the reviews and metadata JSON-lines files, gzip or not), each read by its reader and
// prepared by the paper's protocol (Appendix A: binarised ratings, month-based train/valid/test
// splits). The real files are not in CI, so this program writes a few lines of each format
// itself; give `directory` / `path` the downloaded files instead and nothing else changes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { AMAZON_GAMES_PROTOCOL, ML1M_PROTOCOL, prepareDataset, readAmazonMetadata, readAmazonReviews, readMovieLens1M, readMovieLens1MItems } from '@score/data';

const data = fs.mkdtempSync(path.join(os.tmpdir(), 'real-datasets-'));
const month = (index: number) => Date.UTC(2000, index, 15) / 1000; // 15 Jan 2000 + index months, in seconds

// data/ml-1m: UserID::MovieID::Rating::Timestamp, MovieID::Title::Genres (22 months of ratings).
fs.mkdirSync(path.join(data, 'ml-1m'));
const ratings: string[] = [];
for (let m = 0; m < 22; m += 1) for (let user = 1; user <= 6; user += 1) ratings.push(`${user}::${((user + m) % 8) + 1}::${1 + ((user * m) % 5)}::${month(m)}`);
fs.writeFileSync(path.join(data, 'ml-1m', 'ratings.dat'), `${ratings.join('\n')}\n`);
const titles = ['Toy Story (1995)', 'Jumanji (1995)', 'Heat (1995)', 'Casino (1995)', 'GoldenEye (1995)', 'Babe (1995)', 'Fargo (1996)', 'Alien (1979)'];
fs.writeFileSync(path.join(data, 'ml-1m', 'movies.dat'), titles.map((title, i) => `${i + 1}::${title}::Drama|Thriller`).join('\n') + '\n', 'latin1');

const ml1m = await prepareDataset({
  interactions: readMovieLens1M({ directory: path.join(data, 'ml-1m') }),
  items: await readMovieLens1MItems({ directory: path.join(data, 'ml-1m') }),
  protocol: ML1M_PROTOCOL,
  name: 'ml-1m',
  domain: 'movies',
});
console.log(JSON.stringify(ml1m.statistics().rows)); // {"train":60,"valid":30,"test":30}

// data/Video_Games.json.gz and data/meta_Video_Games.json.gz (the 2018 field names).
const reviews: string[] = [];
for (let m = 0; m < 60; m += 1) {
  for (let user = 1; user <= 3; user += 1) {
    reviews.push(JSON.stringify({ reviewerID: `A${user}`, asin: `B0${(user + m) % 5}`, overall: 1 + ((user + m) % 5), unixReviewTime: Date.UTC(2013, m, 10) / 1000 }));
  }
}
fs.writeFileSync(path.join(data, 'Video_Games.json.gz'), zlib.gzipSync(`${reviews.join('\n')}\n`));
// B04 has no title in the metadata: `missingItems: 'drop'` drops its reviews.
const metadata = ['Halo 3', 'Portal 2', 'Tetris', 'Doom'].map((title, i) => JSON.stringify({ asin: `B0${i}`, title, category: ['Video Games', 'PC'] }));
fs.writeFileSync(path.join(data, 'meta_Video_Games.json.gz'), zlib.gzipSync(`${metadata.join('\n')}\n`));

const games = await prepareDataset({
  interactions: readAmazonReviews({ path: path.join(data, 'Video_Games.json.gz') }),
  items: await readAmazonMetadata({ path: path.join(data, 'meta_Video_Games.json.gz') }),
  protocol: AMAZON_GAMES_PROTOCOL,
  name: 'games',
  domain: 'games',
  missingItems: 'drop', // reviews of products without a title in the metadata
});
console.log(games.items.size, JSON.stringify(games.statistics().rows)); // 4 {"train":117,"valid":13,"test":14}
fs.rmSync(data, { recursive: true, force: true });
