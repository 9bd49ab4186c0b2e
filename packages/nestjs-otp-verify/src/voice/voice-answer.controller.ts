import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiOtpErrors } from '../dto/api-otp-errors.decorator.js';
import { OtpErrorCode as E } from '../otp.errors.js';
import { OtpRouteExceptionFilter } from '../otp-exception.filter.js';
import { withRequestRedisDeadline } from '../store/redis-deadline.js';
import { OtpVoiceCalls, VOICE_ANSWER_PATH } from './otp-voice-calls.js';

const XML = 'application/xml';
const DESCRIPTION =
  'Fetched by Plivo when a voice call is answered: Plivo XML that speaks the code, digit by digit, twice. The ticket is the code sealed with AES-256-GCM: it is the credential of this route (no API key). A ticket altered in any way is 403 invalid_signature; once the code is no longer pending, 404.';

/**
 * The answer URL of voice calls. Plivo fetches it by GET (the `answer_method` the calls ask for);
 * POST is taken too, its form body unread, for a call set up by hand with Plivo's default method.
 */
@ApiTags('callbacks')
@Controller(VOICE_ANSWER_PATH)
@UseFilters(OtpRouteExceptionFilter)
@ApiOtpErrors(E.InvalidSignature, E.OtpNotFound, E.StoreUnavailable)
export class VoiceAnswerController {
  constructor(
    private readonly voice: OtpVoiceCalls,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get(':ticket')
  @ApiOperation({ summary: 'Plivo XML of a voice call (Plivo only)', description: DESCRIPTION })
  @ApiParam({ name: 'ticket', description: 'Sealed by the service when it placed the call' })
  @ApiProduces(XML)
  @ApiOkResponse({ description: 'Plivo XML', schema: { type: 'string' } })
  async answer(
    @Param('ticket') ticket: string,
    @Req() request: object,
    @Res({ passthrough: true }) response: object,
  ): Promise<string> {
    const xml = await withRequestRedisDeadline(request, () => this.voice.answer(ticket));
    // Set on success only: a refusal is the contract's JSON body.
    this.adapterHost.httpAdapter.setHeader(response, 'Content-Type', XML);
    return xml;
  }

  @Post(':ticket')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Plivo XML of a voice call, by POST (Plivo only)',
    description: DESCRIPTION,
  })
  @ApiParam({ name: 'ticket', description: 'Sealed by the service when it placed the call' })
  @ApiProduces(XML)
  @ApiOkResponse({ description: 'Plivo XML', schema: { type: 'string' } })
  answerByPost(
    @Param('ticket') ticket: string,
    @Req() request: object,
    @Res({ passthrough: true }) response: object,
  ): Promise<string> {
    return this.answer(ticket, request, response);
  }
}
