import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { OtpApiKeyGuard } from './auth/otp-api-key.guard.js';
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
import { RedisDeadlineInterceptor } from './store/redis-deadline.interceptor.js';
import { OtpService, type OtpRequestResult, type OtpVerifyResult } from './otp.service.js';
import { OtpRateLimit, OtpThrottlerGuard } from './throttle/otp-throttler.guard.js';
import { REQUEST_THROTTLER, VERIFY_THROTTLER } from './throttle/otp-throttler.providers.js';

@ApiTags('otp')
// Relative to the host: its global prefix and RouterModule place the routes (the service: /api).
@Controller('otp')
@UseFilters(OtpRouteExceptionFilter)
// The key first, then the media type: neither a caller without a key nor a body that is not
// JSON counts against any limit.
@UseGuards(OtpApiKeyGuard, OtpJsonBodyGuard, OtpThrottlerGuard)
@UseInterceptors(RedisDeadlineInterceptor)
@ApiOtpErrors(
  E.ValidationFailed,
  E.PayloadTooLarge,
  E.UnsupportedMediaType,
  E.RateLimited,
  E.StoreUnavailable,
  E.InternalError,
)
export class OtpController {
  constructor(private readonly otp: OtpService) {}

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
    E.GlobalSendLimitExceeded,
    E.CaptchaRequired,
    E.CaptchaFailed,
    // A method's answers of a status replace the controller's: 503 is listed again in full.
    E.CaptchaUnavailable,
    E.StoreUnavailable,
  )
  request(
    @Body(new OtpBodyValidationPipe(REQUEST_OTP_RULES)) body: RequestOtpBody,
    @ClientOfChallenge() client: ChallengeContext,
  ): Promise<OtpRequestResult> {
    return this.otp.requestCode(body.phoneNumber, body.channel, {
      ...client,
      token: body.captchaToken,
    });
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
    @ClientOfChallenge() client: ChallengeContext,
  ): Promise<OtpVerifyResult> {
    return this.otp.verifyCode(body.phoneNumber, body.code, {
      ...client,
      token: body.captchaToken,
    });
  }
}
