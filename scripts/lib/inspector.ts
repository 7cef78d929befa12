/**
 * A minimal DevTools client for workerd's inspector (the one Miniflare opens on `inspectorPort`),
 * enough for the soak to read each isolate's V8 heap (Runtime.getHeapUsage) and to force a full
 * collection (HeapProfiler.collectGarbage). Hand-written: two CDP calls need no library, and
 * Node's global WebSocket carries them.
 *
 * workerd runs a collection asked for by the inspector as a task of the isolate, and runs an
 * isolate's tasks only while it handles an event: an idle isolate never answers (measured
 * 2026-12-01: no reply in 10 s; with one request sent meanwhile, the reply comes with it). So
 * collectGarbage() keeps sending the caller's cheap requests until every isolate has answered.
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
  await Promise.all(sockets.map((s) => call(s.ws, 'HeapProfiler.enable')));
  return {
    /**
     * A full collection in the isolates for which `which` holds, while `poke` sends requests
     * that reach them; resolves with the names of those that did not answer in time (an
     * isolate the requests never reach cannot answer).
     */
    async collectGarbage(
      poke: () => Promise<unknown>,
      which: (name: string) => boolean,
    ): Promise<string[]> {
      const chosen = sockets.filter((s) => which(s.name));
      const missing = new Set(chosen.map((s) => s.name));
      const done = Promise.all(
        chosen.map(async (s) => {
          if (await call(s.ws, 'HeapProfiler.collectGarbage')) missing.delete(s.name);
        }),
      );
      let finished = false;
      void done.then(() => (finished = true));
      while (!finished) {
        await Promise.race([poke().catch(() => undefined), done]);
        await Promise.race([new Promise((r) => setTimeout(r, 100)), done]);
      }
      return [...missing];
    },
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
