/**
 * Where the traced targets (ours-traced, ours-traced10) send their spans: an OTLP/HTTP
 * endpoint in the bench's own process that reads each export, counts its spans, and
 * answers 200 at once, so that the bench measures what tracing costs the gateway and not
 * a collector. Started on first use; it does not keep the process alive.
 */
import { createServer, type Server } from 'node:http';

export interface OtlpSink {
  /** The traces endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). */
  url: string;
  /** Spans received so far (OTLP JSON: resourceSpans[].scopeSpans[].spans[]). */
  readonly spans: number;
  close(): Promise<void>;
}

let started: Promise<OtlpSink> | undefined;

export function otlpSink(): Promise<OtlpSink> {
  started ??= new Promise((resolve, reject) => {
    let spans = 0;
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }> };
          for (const resource of body.resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans += scope.spans?.length ?? 0;
        } catch {
          // Not JSON (a protobuf export): accepted, not counted.
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}/v1/traces`,
        get spans() {
          return spans;
        },
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
  return started;
}
