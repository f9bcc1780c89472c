/**
 * A node:http server on 127.0.0.1 with an OS-assigned port, for the emulators. Reads each request body fully
 * before handing it to the route, and closes every connection on close() so jest exits promptly.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

export interface LoopbackRequest {
  readonly method: string;
  /** the path as sent, still percent-encoded */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface LoopbackResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export type Route = (request: LoopbackRequest) => LoopbackResponse | Promise<LoopbackResponse>;

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startLoopbackServer(route: Route): Promise<LoopbackServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request: LoopbackRequest = {
        method: req.method ?? 'GET',
        rawPath: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      Promise.resolve()
        .then(() => route(request))
        .then(
          (response) => send(res, response),
          (error: unknown) => send(res, { status: 500, body: `emulator failure: ${String(error)}` }),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function send(res: http.ServerResponse, response: LoopbackResponse): void {
  const body = response.body === undefined ? Buffer.alloc(0) : Buffer.from(response.body);
  res.writeHead(response.status, { 'content-length': String(body.length), ...response.headers });
  res.end(body);
}

/** Base of the emulators: one loopback server, routed to `route`. */
export abstract class LoopbackEmulator {
  private server?: LoopbackServer;

  /** `http://127.0.0.1:<port>`, the value for the SDK's AWS_ENDPOINT_URL_<SERVICE> */
  public get url(): string {
    if (this.server === undefined) throw new Error(`${this.constructor.name} is not started`);
    return this.server.url;
  }

  public async close(): Promise<void> {
    await this.server?.close();
  }

  protected async listen(): Promise<this> {
    this.server = await startLoopbackServer((request) => this.route(request));
    return this;
  }

  protected abstract route(request: LoopbackRequest): LoopbackResponse | Promise<LoopbackResponse>;
}
