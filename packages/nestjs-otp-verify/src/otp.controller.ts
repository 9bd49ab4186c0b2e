import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { OtpApiKeyGuard } from './auth/otp-api-key.guard.js';
import { OtpIdempotency, type IdempotentRequest } from './idempotency/otp-idempotency.js';
import { ClientOfChallenge } from './challenge/challenge-context.decorator.js';
import type { ChallengeContext } from './challenge/challenge.service.js';
import { ApiOtpErrors } from './dto/api-otp-errors.decorator.js';
import { OtpRequestResponseDto, OtpVerifyResponseDto } from './dto/otp-responses.dto.js';
import { REQUEST_OTP_RULES, RequestOtpDto, type RequestOtpBody } from './dto/request-otp.dto.js';
import { VERIFY_OTP_RULES, VerifyOtpDto, type VerifyOtpBody } from './dto/verify-otp.dto.js';
import { OtpErrorCode as E } from './otp.errors.js';
import { OtpRouteExceptionFilter } from './otp-exception.filter.js';
import { OtpJsonBodyGuard } from './otp-json-body.guard.js';
import { OtpBodyValidationPipe } from './otp-validation.pipe.js';
import { type RedisDeadline, withRequestRedisDeadline } from './store/redis-deadline.js';
import type { OtpRequestResult, OtpVerifyResult } from './otp-results.js';
import { OtpService } from './otp.service.js';
import { OtpRateLimit, OtpThrottlerGuard } from './throttle/otp-throttler.guard.js';
import { REQUEST_THROTTLER, VERIFY_THROTTLER } from './throttle/otp-throttler.providers.js';

@ApiTags('otp')
// Relative to the host: its global prefix and RouterModule place the routes (the service: /api).
@Controller('otp')
@UseFilters(OtpRouteExceptionFilter)
// The key first, then the media type: neither a caller without a key nor a body that is not
// JSON counts against any limit.
@UseGuards(OtpApiKeyGuard, OtpJsonBodyGuard, OtpThrottlerGuard)
@ApiOtpErrors(
  E.ValidationFailed,
  E.PayloadTooLarge,
  E.UnsupportedMediaType,
  E.RateLimited,
  E.StoreUnavailable,
  E.InternalError,
)
export class OtpController {
  constructor(
    private readonly otp: OtpService,
    private readonly idempotency: OtpIdempotency,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Post('request')
  @ApiBody({ type: RequestOtpDto })
  @HttpCode(HttpStatus.ACCEPTED)
  @OtpRateLimit(REQUEST_THROTTLER)
  @ApiOperation({
    summary: 'Send a fresh code to a phone number',
    description:
      'Normalises the number, checks the per-number and per-client limits, stores the code as an HMAC and sends it by SMS. A new request replaces any code still pending for that number.',
  })
  @ApiAcceptedResponse({ type: OtpRequestResponseDto })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      '1 to 255 printable ASCII characters: the same key and body from the same caller get the first answer again (Idempotent-Replayed: true) and send nothing',
  })
  @ApiOtpErrors(
    E.ValidationFailed,
    E.InvalidPhoneNumber,
    E.PhoneNumberNotAllowed,
    E.ResendCooldown,
    E.SendLimitExceeded,
    E.PhoneLocked,
    E.RateLimited,
    E.SmsDeliveryFailed,
    E.DeliveryBlocked,
    E.CountrySendLimitExceeded,
    E.IdempotencyKeyReused,
    E.IdempotencyKeyInUse,
    E.GlobalSendLimitExceeded,
    E.CaptchaRequired,
    E.CaptchaFailed,
    E.ChannelUnavailable,
    // A method's answers of a status replace the controller's: 503 is listed again in full.
    E.CaptchaUnavailable,
    E.StoreUnavailable,
  )
  async request(
    @Body(new OtpBodyValidationPipe(REQUEST_OTP_RULES)) body: RequestOtpBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: IdempotentRequest,
    @Res({ passthrough: true }) response: object,
    @ClientOfChallenge() client: ChallengeContext,
  ): Promise<OtpRequestResult> {
    const serve = (deadline: RedisDeadline) => () =>
      this.otp.requestCode(
        body.phoneNumber,
        { channel: body.channel, locale: body.locale },
        {
          ...client,
          token: body.captchaToken,
        },
        deadline,
      );
    if (idempotencyKey === undefined) {
      return withRequestRedisDeadline(request, (deadline) => serve(deadline)());
    }
    const fingerprint = this.otp.normaliseRequest(body.phoneNumber, {
      channel: body.channel,
      locale: body.locale,
    });
    const { replayed, answer } = await withRequestRedisDeadline(request, (deadline) =>
      this.idempotency.run(
        request,
        idempotencyKey,
        fingerprint,
        HttpStatus.ACCEPTED,
        serve(deadline),
        deadline,
      ),
    );
    if (replayed) {
      this.adapterHost.httpAdapter.setHeader(response, 'Idempotent-Replayed', 'true');
    }
    return answer();
  }

  @Post('verify')
  @ApiBody({ type: VerifyOtpDto })
  @HttpCode(HttpStatus.OK)
  @OtpRateLimit(VERIFY_THROTTLER)
  @ApiOperation({
    summary: 'Check a code; approves it once',
    description:
      'Compares the code with the pending one for that number. A right code is approved once and then forgotten; each wrong one counts against the code attempts and the lockout.',
  })
  @ApiOkResponse({ type: OtpVerifyResponseDto })
  @ApiOtpErrors(
    E.ValidationFailed,
    E.InvalidPhoneNumber,
    E.OtpIncorrect,
    E.OtpNotFound,
    E.OtpAttemptsExceeded,
    E.PhoneLocked,
    E.RateLimited,
    E.CaptchaRequired,
    E.CaptchaFailed,
    // A method's answers of a status replace the controller's: 503 is listed again in full.
    E.CaptchaUnavailable,
    E.StoreUnavailable,
  )
  verify(
    @Body(new OtpBodyValidationPipe(VERIFY_OTP_RULES)) body: VerifyOtpBody,
    @Req() req: object,
    @ClientOfChallenge() client: ChallengeContext,
  ): Promise<OtpVerifyResult> {
    const challenge = { ...client, token: body.captchaToken };
    return withRequestRedisDeadline(req, (deadline) =>
      this.otp.verifyCode(body.phoneNumber, body.code, challenge, deadline),
    );
  }
}
