/**
 * The workerd tests' webhook receiver: a Node function bound as the WEBHOOK_OUTBOUND service
 * (vitest.config.ts), so deliveries really leave the delivery object as HTTP requests and
 * come back with the status a test scripted, without mocking fetch. Runs in Node, outside
 * workerd; tests steer it through the same binding on the control host:
 *   PUT  http://receiver.control/script/<path>  body [500, 503, 200]  statuses to answer, in turn
 *   GET  http://receiver.control/log/<path>     the requests received on <path>
 * Any other URL is a delivery, recorded under its path and answered with the next scripted
 * status (200 when none is left).
 */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const scripts = new Map<string, number[]>();
const logs = new Map<string, ReceivedRequest[]>();

export async function webhookReceiver(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.hostname === 'receiver.control') {
    const [, action, ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    if (action === 'script' && request.method === 'PUT') {
      scripts.set(path, (await request.json()) as number[]);
      return new Response(null, { status: 204 });
    }
    if (action === 'log') return Response.json(logs.get(path) ?? []);
    return new Response('unknown control request', { status: 400 });
  }
  const entry: ReceivedRequest = {
    method: request.method,
    url: request.url,
    headers: Object.fromEntries(request.headers),
    body: await request.text(),
  };
  logs.set(url.pathname, [...(logs.get(url.pathname) ?? []), entry]);
  const status = scripts.get(url.pathname)?.shift() ?? 200;
  return new Response(status === 204 ? null : `status ${status}`, { status });
}
