/**
 * The load generator. bench.ts runs it as a separate process, so the client and the worker
 * never share an event loop; it drives autocannon (library form, so every request can carry
 * its own path and visitor) and prints one JSON line per phase on stdout.
 *
 * Every scenario goes through the same code path, setupRequest included, so the client's own
 * cost per request is the same for the constant route and for the heaviest one.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { visitorHeaders, type LoadResult, type LoadSpec } from './load-spec';

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

async function phase(spec: LoadSpec, durationSec: number, visitorBase: number, offset: number) {
  let next = 0;
  let latencies = new Float64Array(1 << 16);
  let ok = 0;
  const statuses: Record<string, number> = {};
  const options: autocannon.Options = {
    url: spec.origin,
    connections: spec.connections,
    duration: durationSec,
    timeout: 10,
    requests: [
      {
        method: spec.method,
        setupRequest: (req) => {
          const n = next++;
          const headers = spec.visitors
            ? { ...spec.headers, ...visitorHeaders(visitorBase + n) }
            : spec.headers;
          const path = spec.paths[(offset + n) % spec.paths.length]!.replace(
            '{n}',
            String(visitorBase + n),
          );
          return { ...req, path, headers };
        },
      },
    ],
  };
  const onResponse = (_client: unknown, statusCode: number, _bytes: number, ms: number) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode < 200 || statusCode > 299) return;
    if (ok === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[ok++] = ms;
  };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', onResponse);
  });
  const elapsedSec = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = latencies.subarray(0, ok).sort();
  const measured: LoadResult = {
    sent: next,
    ok,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSec: elapsedSec,
    rps: ok / elapsedSec,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    clientCpuSec: (cpu.user + cpu.system) / 1e6,
  };
  return measured;
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadSpec;
let offset = spec.pathOffset;
if (spec.warmupSec > 0) {
  const warm = await phase(spec, spec.warmupSec, spec.visitorBase, offset);
  offset += warm.sent;
  process.stdout.write(`${JSON.stringify({ phase: 'warmup', result: warm })}\n`);
}
process.stdout.write(`${JSON.stringify({ phase: 'start' })}\n`);
const result = await phase(spec, spec.durationSec, spec.visitorBase + 5_000_000, offset);
process.stdout.write(`${JSON.stringify({ phase: 'done', result })}\n`);
