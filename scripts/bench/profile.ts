/**
 * `npm run bench -- --profile KEY`: a CPU profile of Gazette's side of one budget under load,
 * through workerd's DevTools inspector, on an unminified build so samples name the bundled
 * module (esbuild starts each with a `// path` comment). Profiled figures never reach the report.
 */
import { writeFileSync } from 'node:fs';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
}

/** Attaches to Gazette's isolate, samples every 200 µs while `during` runs, and detaches. */
export async function recordProfile(inspector: URL, during: () => Promise<unknown>) {
  const socket = new WebSocket(new URL('/core:user:gazette', inspector));
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = pending.size + 1;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 200 });
  await send('Profiler.start');
  await during();
  const { profile } = (await send('Profiler.stop')) as { profile: CpuProfile };
  socket.close();
  return profile;
}

/** Self time by module and by function, as shares of the non-idle samples. */
export function describeProfile(profile: CpuProfile, bundleSource: string, file: string): string {
  writeFileSync(file, JSON.stringify(profile));
  const marks: { line: number; module: string }[] = [];
  bundleSource.split('\n').forEach((text, line) => {
    const m = /^\/\/ (\S+\.(?:[cm]?js|tsx?|json))$/.exec(text);
    if (!m) return;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(m[1]!);
    marks.push({ line, module: pkg?.[1] ?? /(src\/\S+)/.exec(m[1]!)?.[1] ?? m[1]! });
  });
  const moduleAt = (line: number) => marks.findLast((m) => m.line <= line)?.module ?? '(prelude)';
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const id of profile.samples) {
    const frame = byId.get(id);
    if (!frame || frame.functionName === '(idle)') continue;
    total += 1;
    const module = frame.url.endsWith('index.js')
      ? moduleAt(frame.lineNumber)
      : frame.url || '(native)';
    modules.set(module, (modules.get(module) ?? 0) + 1);
    const fn = `${frame.functionName || '(anonymous)'} (${module})`;
    functions.set(fn, (functions.get(fn) ?? 0) + 1);
  }
  const top = (counts: Map<string, number>) =>
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([name, n]) => `    ${((n / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
  return [
    `${total} non-idle samples (written to ${file})`,
    '  self time by module:',
    ...top(modules),
    '  self time by function:',
    ...top(functions),
  ].join('\n');
}
