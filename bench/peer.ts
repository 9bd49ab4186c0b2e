/**
 * The design this service replaces, as the usual guides build it: Express, the `redis` client,
 * `SET otp:<phone> <code> EX` per request, `GET` + compare + `DEL` per verification, a regex
 * for validation, no logging, no limits. `npm run bench` measures it next to the service.
 * REDIS_URL or REDIS_CLUSTER_NODES (`host:port,...`, then `createCluster`) and PORT configure it.
 */
import express from 'express';
import { randomInt } from 'node:crypto';
import { createClient, createCluster } from 'redis';

interface Kv {
  connect(): Promise<unknown>;
  get(key: string): Promise<string | null>;
  set(
    key: string,
    value: string,
    options: { expiration: { type: 'EX'; value: number } },
  ): Promise<unknown>;
  del(key: string): Promise<number>;
}

const nodes = process.env.REDIS_CLUSTER_NODES?.split(',');
const redis = (nodes
  ? createCluster({ rootNodes: nodes.map((node) => ({ url: `redis://${node}` })) })
  : createClient({ url: process.env.REDIS_URL })) as unknown as Kv;
await redis.connect();

/** The same SMS stand-in as the service gets in the bench: accepts every message at once. */
const sendSms = async (_to: string, _text: string): Promise<void> => undefined;

const PHONE = /^\+[1-9]\d{7,14}$/;
const CODE = /^\d{6}$/;
const app = express();
app.use(express.json());

app.post('/api/otp/request', async (req, res) => {
  const phoneNumber: unknown = req.body?.phoneNumber;
  if (typeof phoneNumber !== 'string' || !PHONE.test(phoneNumber)) {
    res.status(400).json({ error: 'invalid phone number' });
    return;
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await redis.set(`otp:${phoneNumber}`, code, { expiration: { type: 'EX', value: 300 } });
  await sendSms(phoneNumber, `Your verification code is ${code}`);
  res.status(202).json({ status: 'pending', phoneNumber });
});

app.post('/api/otp/verify', async (req, res) => {
  const { phoneNumber, code } = (req.body ?? {}) as { phoneNumber?: unknown; code?: unknown };
  if (typeof phoneNumber !== 'string' || !PHONE.test(phoneNumber)) {
    res.status(400).json({ error: 'invalid phone number' });
    return;
  }
  if (typeof code !== 'string' || !CODE.test(code)) {
    res.status(400).json({ error: 'invalid code' });
    return;
  }
  const stored = await redis.get(`otp:${phoneNumber}`);
  if (stored === null) {
    res.status(404).json({ error: 'no code pending' });
    return;
  }
  if (stored !== code) {
    res.status(400).json({ error: 'incorrect code' });
    return;
  }
  await redis.del(`otp:${phoneNumber}`);
  res.status(200).json({ status: 'approved', phoneNumber });
});

app.listen(Number(process.env.PORT), '127.0.0.1');
