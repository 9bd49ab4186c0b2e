import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiOtpErrors } from '../dto/api-otp-errors.decorator.js';
import { OtpErrorCode as E, NotQuarantinedError } from '../otp.errors.js';
import { OtpRouteExceptionFilter } from '../otp-exception.filter.js';
import { FraudAdminGuard } from './fraud-admin.guard.js';
import { QuarantinedPrefixDto } from './fraud-admin.dto.js';
import { FraudGuardService } from './fraud-guard.service.js';

const RELEASED = { description: 'Released' };

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/fraud')
@UseFilters(OtpRouteExceptionFilter)
@UseGuards(FraudAdminGuard)
@ApiOtpErrors(E.Unauthorized, E.StoreUnavailable)
export class FraudAdminController {
  constructor(private readonly guard: FraudGuardService) {}

  @Get('prefixes')
  @ApiOperation({
    summary:
      'List the prefixes and countries the fraud guard quarantined (needs OTP_ADMIN_API_KEY)',
    description:
      'Each quarantined prefix (a country with prefix null) with the sends, approvals and conversion that put it there, and when its quarantine ends. Answers 404 unless OTP_ADMIN_API_KEY is set.',
  })
  @ApiOkResponse({ type: QuarantinedPrefixDto, isArray: true })
  async list(): Promise<QuarantinedPrefixDto[]> {
    const entries = await this.guard.quarantined();
    return entries.map((entry) => ({
      prefix: entry.prefix,
      country: entry.country,
      sends: entry.sends,
      approvals: entry.approvals,
      conversion: entry.conversion,
      quarantinedUntil: new Date(entry.quarantinedUntil).toISOString(),
    }));
  }

  @Delete('prefixes/:prefix')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Release a quarantined prefix (needs OTP_ADMIN_API_KEY)',
    description:
      'Lifts the quarantine at once, so the next request to a number in the prefix is sent. Answers 404 unless OTP_ADMIN_API_KEY is set.',
  })
  @ApiNoContentResponse(RELEASED)
  @ApiOtpErrors(E.NotQuarantined)
  async release(@Param('prefix') prefix: string): Promise<void> {
    if (!/^\d{1,15}$/.test(prefix) || !(await this.guard.release({ kind: 'prefix', id: prefix }))) {
      throw new NotQuarantinedError();
    }
  }

  @Delete('countries/:country')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Release a quarantined country (needs OTP_ADMIN_API_KEY)',
    description:
      'Lifts the country quarantine at once (ISO 3166 alpha-2, or 001 for the international networks). Answers 404 unless OTP_ADMIN_API_KEY is set.',
  })
  @ApiNoContentResponse(RELEASED)
  @ApiOtpErrors(E.NotQuarantined)
  async releaseCountry(@Param('country') country: string): Promise<void> {
    const id = country.toUpperCase();
    if (!/^([A-Z]{2}|001)$/.test(id) || !(await this.guard.release({ kind: 'country', id }))) {
      throw new NotQuarantinedError();
    }
  }
}
