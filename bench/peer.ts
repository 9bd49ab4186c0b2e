/**
 * The design this service replaces, as the seed guides prescribe it: Express 5, a limit per
 * client on each route with `express-rate-limit` (its memory store; the guides call rate
 * limiting essential for every production OTP system), `express-validator` rules with the E.164
 * and code regexes, the `redis` client with `SET otp:<phone> <code> EX` per request and `GET` +
 * compare + `DEL` per verification, a no-op SMS stand-in, no logging. `npm run bench` measures
 * it next to the service.
 *
 * PEER_DESIGN=bare leaves out the two middlewares and checks the body with the same regexes by
 * hand: the bare handler some guides stop at, measured as an informational line.
 * REDIS_URL or REDIS_CLUSTER_NODES (`host:port,...`, then `createCluster`) and PORT configure it.
 */
import express, { type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { body, validationResult } from 'express-validator';
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
const RULES = {
  phoneNumber: PHONE,
  code: CODE,
};
type Field = keyof typeof RULES;

/** The prescribed checks: the validator's rules, then one 400 listing what failed. */
function prescribedChecks(fields: Field[]): RequestHandler[] {
  const report: RequestHandler = (req, res, next) => {
    const errors = validationResult(req);
    if (errors.isEmpty()) next();
    else res.status(400).json({ errors: errors.array() });
  };
  return [...fields.map((field) => body(field).isString().matches(RULES[field])), report];
}

/** The bare checks: the same regexes, by hand. */
function bareChecks(fields: Field[]): RequestHandler[] {
  const check: RequestHandler = (req, res, next) => {
    const invalid = fields.find((field) => {
      const value: unknown = req.body?.[field];
      return typeof value !== 'string' || !RULES[field].test(value);
    });
    if (invalid) res.status(400).json({ error: `invalid ${invalid}` });
    else next();
  };
  return [check];
}

/** Per client (its IP), as the guides set it up; a limit no run reaches, so nothing is refused. */
const limiter = (): RequestHandler =>
  rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: 1e9,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
  });

const bare = process.env.PEER_DESIGN === 'bare';
const guard = (fields: Field[]): RequestHandler[] =>
  bare ? bareChecks(fields) : [limiter(), ...prescribedChecks(fields)];

const app = express();
app.use(express.json());

app.post('/api/otp/request', ...guard(['phoneNumber']), async (req, res) => {
  const { phoneNumber } = req.body as { phoneNumber: string };
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await redis.set(`otp:${phoneNumber}`, code, { expiration: { type: 'EX', value: 300 } });
  await sendSms(phoneNumber, `Your verification code is ${code}`);
  res.status(202).json({ status: 'pending', phoneNumber });
});

app.post('/api/otp/verify', ...guard(['phoneNumber', 'code']), async (req, res) => {
  const { phoneNumber, code } = req.body as { phoneNumber: string; code: string };
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
