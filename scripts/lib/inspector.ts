/**
 * A minimal DevTools client for workerd's inspector (the one Miniflare opens on `inspectorPort`),
 * enough for the soak to read each isolate's V8 heap (Runtime.getHeapUsage). Hand-written: one
 * CDP call needs no library, and Node's global WebSocket carries it. workerd does not answer
 * HeapProfiler.collectGarbage (measured: no reply in 10 s), so no collection can be forced.
 */
export interface IsolateHeap {
  /** The worker's name as workerd lists it: `core:user:gazette` is Gazette, the rest Miniflare's. */
  name: string;
  usedMiB: number;
  totalMiB: number;
  /** ArrayBuffer backing stores (bodies, encoded text): outside the V8 heap, inside RSS. */
  backingMiB: number;
}

interface Target {
  title: string;
  webSocketDebuggerUrl: string;
}

const callTimeoutMs = 10_000;

export async function connectInspector(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Target[];
  const sockets = await Promise.all(
    targets.map(
      (t) =>
        new Promise<{ name: string; ws: WebSocket }>((resolve, reject) => {
          const ws = new WebSocket(t.webSocketDebuggerUrl);
          ws.addEventListener('open', () =>
            resolve({ name: t.title.replace(/^workerd: worker /, ''), ws }),
          );
          ws.addEventListener('error', () =>
            reject(new Error(`inspector: cannot open ${t.title}`)),
          );
        }),
    ),
  );
  let lastId = 0;
  // A call that gets no answer in time resolves to null: a stuck probe must not stall the soak.
  const call = (ws: WebSocket, method: string) =>
    new Promise<Record<string, number> | null>((resolve) => {
      const id = ++lastId;
      const timer = setTimeout(() => {
        ws.removeEventListener('message', onMessage);
        resolve(null);
      }, callTimeoutMs);
      const onMessage = (event: MessageEvent) => {
        const msg = JSON.parse(String(event.data)) as {
          id?: number;
          result?: Record<string, number>;
        };
        if (msg.id !== id) return;
        clearTimeout(timer);
        ws.removeEventListener('message', onMessage);
        resolve(msg.result ?? null);
      };
      ws.addEventListener('message', onMessage);
      ws.send(JSON.stringify({ id, method }));
    });
  const pick = (name?: string) => sockets.filter((s) => !name || s.name === name);
  return {
    /** Every isolate's heap (or only `name`'s); NaN where the isolate did not answer. */
    async heaps(name?: string): Promise<IsolateHeap[]> {
      return Promise.all(
        pick(name).map(async (s) => {
          const r = await call(s.ws, 'Runtime.getHeapUsage');
          return {
            name: s.name,
            usedMiB: r ? r.usedSize! / 2 ** 20 : Number.NaN,
            totalMiB: r ? r.totalSize! / 2 ** 20 : Number.NaN,
            backingMiB: r ? (r.backingStorageSize ?? Number.NaN) / 2 ** 20 : Number.NaN,
          };
        }),
      );
    },
    close(): void {
      for (const s of sockets) s.ws.close();
    },
  };
}
