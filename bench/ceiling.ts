import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post, UsePipes, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsString, MaxLength } from 'class-validator';

class CeilingDto {
  @IsString() @MaxLength(32) phoneNumber!: string;
  @IsString() @MaxLength(10) code!: string;
}

/**
 * The most a Nest 12 route on Fastify can serve here: the service's body validation and nothing
 * else. Every path of the service is measured against it.
 */
@Controller('api')
class CeilingController {
  @Post('ceiling')
  @HttpCode(200)
  @UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
  answer(@Body() body: CeilingDto) {
    return { status: 'approved', phoneNumber: body.phoneNumber };
  }
}

@Module({ controllers: [CeilingController] })
class CeilingModule {}

const app = await NestFactory.create<NestFastifyApplication>(CeilingModule, new FastifyAdapter(), {
  logger: ['error', 'warn'],
});
await app.listen(Number(process.env.PORT), '127.0.0.1');
