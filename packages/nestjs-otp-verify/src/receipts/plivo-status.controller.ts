import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Logger,
  type OnModuleInit,
  Post,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiConsumes, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiOtpErrors } from '../dto/api-otp-errors.decorator.js';
import { InjectOtpSettings } from '../otp.decorators.js';
import { InvalidSignatureError, OtpErrorCode as E } from '../otp.errors.js';
import { OtpRouteExceptionFilter } from '../otp-exception.filter.js';
import type { OtpSettings } from '../otp-options.js';
import { withRequestRedisDeadline } from '../store/redis-deadline.js';
import { OtpCallbackFormGuard } from './callback-form.guard.js';
import { DeliveryReceipts } from './delivery-receipts.service.js';
import {
  PLIVO_STATUS_ROUTE,
  plivoStatusCallbackUrl,
  receiptStatusOfPlivo,
} from './plivo-receipt.js';
import { PlivoSignature } from './plivo-signature.js';

/** The fields of Plivo's message status callback that the service reads. */
interface PlivoStatusForm {
  MessageUUID?: string;
  Status?: string;
  ErrorCode?: string;
}

/**
 * Plivo's message status callback. No API key and no JSON: Plivo sends neither, and its
 * signature over the URL the service gave it is the credential. Only with `callbackRoutes`.
 */
@ApiTags('otp')
@Controller(PLIVO_STATUS_ROUTE)
@UseFilters(OtpRouteExceptionFilter)
@UseGuards(OtpCallbackFormGuard)
export class PlivoStatusController implements OnModuleInit {
  constructor(
    @InjectOtpSettings() private readonly settings: OtpSettings,
    private readonly signature: PlivoSignature,
    private readonly receipts: DeliveryReceipts,
  ) {}

  /** Without the URL there is nothing a signature could be checked against. */
  onModuleInit(): void {
    if (this.settings.publicUrl === undefined) {
      new Logger('PlivoCallbacks').warn(
        'callbackRoutes is on without publicUrl: every Plivo status callback will be refused',
      );
    }
  }

  @Post()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: "Plivo's SMS status callback (delivery receipts)",
    description:
      'Form-encoded, signed by Plivo (X-Plivo-Signature-V3 over the URL the service gave it). Sets the status of the attempt that sent MessageUUID; a final status never changes. 204 for every signed callback, known message or not.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiNoContentResponse({ description: 'taken (or ignored: unknown message, replay, late)' })
  @ApiOtpErrors(
    E.InvalidSignature,
    E.UnsupportedMediaType,
    E.PayloadTooLarge,
    E.StoreUnavailable,
    E.InternalError,
  )
  async status(
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Body() form: unknown,
    @Req() req: object,
  ): Promise<void> {
    const { publicUrl } = this.settings;
    const url = publicUrl && plivoStatusCallbackUrl(publicUrl);
    if (!url || !(await this.signature.check(url, { headers, params: form }))) {
      throw new InvalidSignatureError();
    }
    const { MessageUUID: messageId, Status, ErrorCode } = form as PlivoStatusForm;
    const status = receiptStatusOfPlivo(Status);
    if (!messageId || !status) return;
    // Plivo defines ErrorCode for failed and undelivered messages only: it says why.
    const failed = status === 'failed' || status === 'undelivered';
    const errorCode = failed && ErrorCode ? ErrorCode : undefined;
    await withRequestRedisDeadline(req, () =>
      this.receipts.record({ provider: 'plivo', messageId, status, errorCode }),
    );
  }
}
