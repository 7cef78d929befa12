/** What bench.ts asks of the load client, and what it answers. Shared by both processes. */

export interface LoadSpec {
  origin: string;
  method: 'GET' | 'POST';
  /**
   * Request paths, used in turn: request n goes to paths[(pathOffset + n) % paths.length],
   * with `{n}` in a path replaced by a number no other request uses.
   */
  paths: string[];
  pathOffset: number;
  headers: Record<string, string>;
  /** Give every request a distinct visitor (User-Agent and client IP), as real readers have. */
  visitors: boolean;
  /** First visitor number; every run gets its own range so no visitor repeats across runs. */
  visitorBase: number;
  connections: number;
  warmupSec: number;
  durationSec: number;
}

export interface LoadResult {
  /** Requests issued (some may still have been in flight when time ran out). */
  sent: number;
  /** 2xx responses; rps and the latency percentiles count only these. */
  ok: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  durationSec: number;
  rps: number;
  /** Milliseconds, from the client's own clock per response (not autocannon's 1 ms buckets). */
  p50: number;
  p99: number;
  clientCpuSec: number;
}

/**
 * A browser-like reader: Chrome on Windows, with a build number that encodes the visitor, and
 * a client IP from 198.18.0.0/15 (reserved for benchmarks, RFC 2544). Locally nothing sets
 * CF-Connecting-IP, so the client plays the edge's part; in production the edge sets it.
 */
export function visitorHeaders(n: number): Record<string, string> {
  const ip = n % 131_072;
  return {
    'user-agent': `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.${Math.floor(n / 1000)}.${n % 1000} Safari/537.36`,
    'cf-connecting-ip': `198.${18 + (ip >> 16)}.${(ip >> 8) & 255}.${ip & 255}`,
  };
}
