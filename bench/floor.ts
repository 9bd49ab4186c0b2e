/**
 * The least an answer can cost any design that keeps what the contract asks of it, on the bare
 * Nest route of bench/ceiling.ts, with one JSON request line each:
 *
 * - a wrong code (`/api/floor`, 400): one Redis round trip (one script that counts the client's
 *   hit and reads the number's code, the best case: every limit folded into the code's script)
 *   and the code's HMAC;
 * - a request (`/api/floor/request`, 202): the number parsed and typed against libphonenumber's
 *   full metadata, a CSPRNG code and its HMAC, one script that counts the hit and stores the
 *   code, a text handed to a no-op sender, and one script that records the attempt once the
 *   sender answered (a crash between the two must not leave a send unrecorded).
 *
 * A target above floor ÷ peer cannot be met by any such design on this machine.
 */
import 'reflect-metadata';
import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Ip,
  Module,
  Post,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsString, MaxLength } from 'class-validator';
import { createHash, createHmac, randomInt } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { Cluster, Redis } from 'ioredis';
import { pino } from 'pino';

class FloorDto {
  @IsString() @MaxLength(32) phoneNumber!: string;
  @IsString() @MaxLength(10) code!: string;
}

class FloorRequestDto {
  @IsString() @MaxLength(32) phoneNumber!: string;
}

const HIT_AND_READ = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], 60000) end
return { hits, redis.call('HGET', KEYS[2], 'h') }`;
const HIT_AND_STORE = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], 60000) end
redis.call('HSET', KEYS[2], 'h', ARGV[1], 'x', ARGV[2])
redis.call('PEXPIRE', KEYS[2], 300000)
return hits`;
const RECORD = `return redis.call('HSET', KEYS[1], 'at', ARGV[1])`;
const SHAS = new Map(
  [HIT_AND_READ, HIT_AND_STORE, RECORD].map((lua) => [
    lua,
    createHash('sha1').update(lua).digest('hex'),
  ]),
);
const SECRET = 'floor';

const nodes = process.env.REDIS_CLUSTER_NODES?.split(',');
const redis = nodes
  ? new Cluster(
      nodes.map((node) => ({ host: node.split(':')[0], port: Number(node.split(':')[1]) })),
      { enableAutoPipelining: true },
    )
  : new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true });

const log = pino({ level: 'info' });

/** A script by its SHA, sent in full the first time a Redis has not cached it. */
const run = (lua: string, keys: string[], args: (string | number)[] = []) =>
  redis
    .evalsha(SHAS.get(lua)!, keys.length, ...keys, ...args)
    .catch(() => redis.eval(lua, keys.length, ...keys, ...args));

const send = async (_to: string, _text: string): Promise<void> => undefined;

@Controller('api')
class FloorController {
  @Post('floor')
  @UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
  async answer(@Body() body: FloorDto, @Ip() ip: string) {
    // The client's key and the number's share a hash tag: one slot, one script, on a cluster too.
    const tag = `{floor:${body.phoneNumber}}`;
    const keys = [`${tag}:ip:${ip}`, `${tag}:code`];
    const hash = createHmac('sha256', SECRET).update(`${body.phoneNumber}:${body.code}`).digest();
    const [, stored] = (await run(HIT_AND_READ, keys)) as [number, string | null];
    if (stored !== hash.toString('base64url')) {
      throw new BadRequestException({ code: 'otp_incorrect', attemptsRemaining: 4 });
    }
    return { status: 'approved' };
  }

  @Post('floor/request')
  @HttpCode(202)
  @UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
  async request(@Body() body: FloorRequestDto, @Ip() ip: string) {
    const phone = parsePhoneNumberFromString(body.phoneNumber);
    if (!phone?.isValid() || phone.getType() !== 'MOBILE') {
      throw new BadRequestException({ code: 'invalid_phone_number' });
    }
    const e164 = phone.number;
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const hash = createHmac('sha256', SECRET).update(`${e164}:${code}`).digest('base64url');
    const tag = `{floor:${e164}}`;
    await run(HIT_AND_STORE, [`${tag}:ip:${ip}`, `${tag}:code`], [hash, Date.now() + 300_000]);
    await send(e164, `Your verification code is ${code}. It expires in 5 minutes.`);
    await run(RECORD, [`${tag}:record`], [`sms sent ${Date.now()}`]);
    return { status: 'pending', phoneNumber: e164, expiresInSeconds: 300 };
  }
}

@Module({ controllers: [FloorController] })
class FloorModule {}

const adapter = new FastifyAdapter();
adapter.getInstance().addHook('onResponse', (request, reply, done) => {
  log.info({
    req: { id: request.id, method: request.method, url: request.url, remoteAddress: request.ip },
    res: { statusCode: reply.statusCode },
    responseTime: Math.round(reply.elapsedTime * 10) / 10,
    phoneNumber: '+4477******00',
  });
  done();
});
const app = await NestFactory.create<NestFastifyApplication>(FloorModule, adapter, {
  logger: ['error', 'warn'],
});
await app.listen(Number(process.env.PORT), '127.0.0.1');
