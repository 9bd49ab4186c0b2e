import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  UseFilters,
  UseGuards,
  Req,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { OtpApiKeyGuard } from '../auth/otp-api-key.guard.js';
import { ApiOtpErrors } from '../dto/api-otp-errors.decorator.js';
import { VerificationResponseDto } from '../dto/verification-response.dto.js';
import { OtpErrorCode as E } from '../otp.errors.js';
import { OtpRouteExceptionFilter } from '../otp-exception.filter.js';
import { OtpOptionalJsonBodyGuard } from '../otp-json-body.guard.js';
import { OtpBodyValidationPipe } from '../otp-validation.pipe.js';
import { withRequestRedisDeadline } from '../store/redis-deadline.js';
import { OtpVerifications } from './otp-verifications.service.js';
import type { VerificationView } from './verification.js';

const ID_PARAM = {
  name: 'verificationId',
  description: 'the verificationId of the 202 that created it',
  example: 'ver_515W9Y73NQDBTPYEVY3AYVMWY2',
};

@ApiTags('otp')
@Controller('otp/verifications')
@UseFilters(OtpRouteExceptionFilter)
@UseGuards(OtpApiKeyGuard)
@ApiOtpErrors(E.VerificationNotFound, E.StoreUnavailable, E.InternalError)
export class OtpVerificationsController {
  constructor(private readonly verifications: OtpVerifications) {}

  @Get(':verificationId')
  @ApiOperation({
    summary: 'What became of a verification',
    description:
      'Readable for OTP_VERIFICATION_RETENTION_SECONDS after it was created, whatever happened to it.',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: VerificationResponseDto })
  find(@Param('verificationId') id: string, @Req() req: object): Promise<VerificationView> {
    return withRequestRedisDeadline(req, (deadline) => this.verifications.find(id, deadline));
  }

  @Post(':verificationId/cancel')
  @HttpCode(HttpStatus.OK)
  @UseGuards(OtpOptionalJsonBodyGuard)
  @ApiOperation({
    summary: 'Cancel a pending verification',
    description: 'Its code stops working at once. No body, or {}.',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: VerificationResponseDto })
  @ApiOtpErrors(E.VerificationNotPending, E.ValidationFailed, E.UnsupportedMediaType)
  cancel(
    @Param('verificationId') id: string,
    @Body(new OtpBodyValidationPipe({}, true)) _body: object,
    @Req() req: object,
  ): Promise<VerificationView> {
    return withRequestRedisDeadline(req, (deadline) => this.verifications.cancel(id, deadline));
  }
}
