/**
 * One delivery attempt: a POST of the JSON payload, answered by any status or failed by
 * a connection error or the timeout. No keep-alive, so an attempt leaves no socket behind.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export type AttemptResult = { status: number } | { error: string };

export function postWebhook(url: string, payload: string, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: AttemptResult): void => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, {
      method: 'POST',
      agent: false,
      signal,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(payload)) },
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => settle({ status: res.statusCode ?? 0 }));
      res.on('error', () => settle({ status: res.statusCode ?? 0 }));
    });
    req.on('error', (error) => settle({ error: error.message }));
    req.end(payload);
  });
}
