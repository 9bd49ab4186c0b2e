import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalHttpServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Hung requests included: their sockets are destroyed. */
  stop(): Promise<void>;
}

/** A node:http server on 127.0.0.1 at a free port: what each fake provider runs on. */
export async function startLocalHttpServer(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<LocalHttpServer> {
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
