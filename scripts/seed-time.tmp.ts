import { generateDemoArticles } from './demo-content';
import { startWorker } from './lib/run-worker';
import { seedWorker } from './lib/seed-worker';
const n = Number(process.argv[2] ?? 2000);
const worker = await startWorker({ assets: false, vars: { API_EDGE_CACHE_SECONDS: '0' } });
try {
  const t = performance.now();
  const r = await seedWorker(worker, generateDemoArticles({ count: n, newest: Date.now() - 3_600_000 }));
  console.log(`seeded ${r.created} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
} finally { await worker.dispose(); }
