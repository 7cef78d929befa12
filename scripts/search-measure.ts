/**
 * A script-only check of search latency on 10,000 generated articles (not a test: tests make
 * no timing assertions, and the benchmark proper lives in scripts/bench). It starts the
 * deployed bundle in workerd, seeds the demo generator's articles through its import route
 * (which writes the search index as it goes), then times sequential requests per query beside the article
 * JSON read.
 *
 * Usage: npx tsx scripts/search-measure.ts [--count 10000] [--requests 60]
 */
import { parseArgs } from 'node:util';
import { generateDemoArticles } from './demo-content';
import { startWorker } from './lib/run-worker';
import { seedWorker } from './lib/seed-worker';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '60' },
  },
});
const count = Number(values.count);
const requests = Number(values.requests);

const queries: [label: string, path: string][] = [
  ['article JSON read', '/api/v1/articles/1'],
  ['1 char, rare (湖)', '/api/v1/search?q=湖'],
  ['1 char, in every article (的)', '/api/v1/search?q=的'],
  ['2 chars (养老)', '/api/v1/search?q=养老'],
  ['2 chars, very common (政务)', '/api/v1/search?q=政务'],
  ['4 chars (营商环境)', '/api/v1/search?q=营商环境'],
  ['3 terms (北湖街道 养老 服务)', '/api/v1/search?q=北湖街道 养老 服务'],
  ['2 chars, sort=latest (养老)', '/api/v1/search?q=养老&sort=latest'],
  ['excluded term (养老 -北湖)', '/api/v1/search?q=养老 -北湖'],
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

const worker = await startWorker({ assets: false, vars: { API_EDGE_CACHE_SECONDS: '0' } });
try {
  const articles = generateDemoArticles({ count, newest: Date.UTC(2026, 0, 1) });
  const started = performance.now();
  // Through the worker's import route: the commands write the search index in the same batch.
  await seedWorker(worker, articles);
  console.log(
    `seeded and indexed ${count} articles in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  console.log('\nquery | hits | median ms | p95 ms');
  console.log('--- | --- | --- | ---');
  for (const [label, path] of queries) {
    const url = new URL(path, worker.url);
    let total = '';
    for (let i = 0; i < 5; i++) await (await fetch(url)).arrayBuffer();
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const t = performance.now();
      const res = await fetch(url);
      const body = (await res.json()) as { meta?: { total: number; totalExact: boolean } };
      times.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      if (body.meta) total = `${body.meta.totalExact ? '' : '> '}${body.meta.total}`;
    }
    times.sort((a, b) => a - b);
    console.log(
      `${label} | ${total || '-'} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)}`,
    );
  }
} finally {
  await worker.dispose();
}
