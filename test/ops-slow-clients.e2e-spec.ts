import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Everything the server writes on the socket until it closes it. */
async function readUntilClosed(socket: Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  await once(socket, 'close');
  return received;
}

/** A 408 with the contract's body. */
function expectRequestTimeout(received: string): void {
  expect(received).toMatch(/^HTTP\/1\.1 408 /);
  expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4))).toEqual({
    statusCode: 408,
    code: 'request_timeout',
    message: expect.any(String),
  });
}

describe('slow clients', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(async () => t?.close());

  it('answers 408 and closes the connection when the body does not arrive in time', async () => {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    // Half a body, then nothing: the client that would hold a connection open for ever.
    socket.write(
      'POST /api/otp/request HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        'Content-Type: application/json\r\nContent-Length: 64\r\n\r\n{"phoneNumber":',
    );
    const received = await readUntilClosed(socket);
    expectRequestTimeout(received);
    expect(t.outbox.messages).toEqual([]);
  }, 30_000);

  it('answers 408 and closes the connection when the headers do not arrive in time', async () => {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('POST /api/otp/request HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const received = await readUntilClosed(socket);
    expectRequestTimeout(received);
  }, 30_000);
});
