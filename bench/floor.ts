/**
 * The least a verification can cost any design that keeps what the contract asks of it: the
 * bare Nest route of bench/ceiling.ts, plus one Redis round trip per answer (one script that
 * counts the client's hit and reads the number's code, the best case: every limit folded into
 * the code's script), the code's HMAC, and one JSON request line. It answers a wrong code
 * (400). A target above floor ÷ peer cannot be met by any such design on this machine.
 */
import 'reflect-metadata';
import {
  BadRequestException,
  Body,
  Controller,
  Ip,
  Module,
  Post,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsString, MaxLength } from 'class-validator';
import { createHash, createHmac } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { pino } from 'pino';

class FloorDto {
  @IsString() @MaxLength(32) phoneNumber!: string;
  @IsString() @MaxLength(10) code!: string;
}

const HIT_AND_READ = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], 60000) end
return { hits, redis.call('HGET', KEYS[2], 'h') }`;
const SHA = createHash('sha1').update(HIT_AND_READ).digest('hex');
const SECRET = 'floor';

const nodes = process.env.REDIS_CLUSTER_NODES?.split(',');
const redis = nodes
  ? new Cluster(
      nodes.map((node) => ({ host: node.split(':')[0], port: Number(node.split(':')[1]) })),
      { enableAutoPipelining: true },
    )
  : new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true });

const log = pino({ level: 'info' });

@Controller('api')
class FloorController {
  @Post('floor')
  @UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
  async answer(@Body() body: FloorDto, @Ip() ip: string) {
    // The client's key and the number's share a hash tag: one slot, one script, on a cluster too.
    const tag = `{floor:${body.phoneNumber}}`;
    const keys = [`${tag}:ip:${ip}`, `${tag}:code`];
    const hash = createHmac('sha256', SECRET).update(`${body.phoneNumber}:${body.code}`).digest();
    const [, stored] = (await redis
      .evalsha(SHA, 2, ...keys)
      .catch(() => redis.eval(HIT_AND_READ, 2, ...keys))) as [number, string | null];
    if (stored !== hash.toString('base64url')) {
      throw new BadRequestException({ code: 'otp_incorrect', attemptsRemaining: 4 });
    }
    return { status: 'approved' };
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
