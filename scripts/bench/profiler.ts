/**
 * CPU profiles of the worker under load, through workerd's DevTools inspector (the same
 * protocol Chrome uses). `npm run bench -- --profile --only article-json` records one
 * measurement per scenario with the sampler on and names where the isolate's time went.
 * Profiled runs are slower, so their figures never reach BENCHMARKS.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attributeProfile, type CpuProfile } from './sizes';

interface Target {
  id: string;
  title: string;
  webSocketDebuggerUrl: string;
}

export class Profiler {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();

  constructor(private readonly port: number) {}

  /** Attaches to the Gazette worker's isolate (not Miniflare's internal workers). */
  async connect(): Promise<void> {
    const targets = (await (await fetch(`http://127.0.0.1:${this.port}/json`)).json()) as Target[];
    const target = targets.find((t) => /gazette/.test(t.title) || /gazette/.test(t.id));
    if (!target) {
      throw new Error(`no inspector target for the worker among ${JSON.stringify(targets)}`);
    }
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error('inspector socket failed')), {
        once: true,
      });
    });
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
      if (message.id !== undefined) this.pending.get(message.id)?.(message.result);
    });
    this.socket = socket;
    await this.send('Profiler.enable');
    await this.send('Profiler.setSamplingInterval', { interval: 200 });
  }

  private send(method: string, params: object = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket!.send(JSON.stringify({ id, method, params }));
    });
  }

  async start(): Promise<void> {
    await this.send('Profiler.start');
  }

  async stop(): Promise<CpuProfile> {
    const result = (await this.send('Profiler.stop')) as { profile: CpuProfile };
    return result.profile;
  }

  close() {
    this.socket?.close();
  }
}

export function describeProfile(
  key: string,
  profile: CpuProfile,
  bundleSource: string,
  outDir: string,
): string {
  const file = join(outDir, `${key}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  const { topModules, topFunctions, totalMs } = attributeProfile(
    profile,
    bundleSource,
    12,
    'count',
  );
  const share = (ms: number) => `${((ms / totalMs) * 100).toFixed(1)} %`;
  return [
    `profile of '${key}': ~${totalMs.toFixed(0)} ms of isolate CPU sampled (written to ${file})`,
    '  by module:',
    ...topModules.map((t) => `    ${share(t.ms).padStart(7)}  ${t.module}`),
    '  by function (self time):',
    ...topFunctions.map((t) => `    ${share(t.ms).padStart(7)}  ${t.name} (${t.module})`),
    '  (with the inspector attached, every console.* call is also sent to it: the access log',
    "  shows up far larger here than it costs without a profiler; see src/lib/logger.ts's emit)",
  ].join('\n');
}
