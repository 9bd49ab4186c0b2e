import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { VERIFICATION_STATUSES } from '../verification/verification.js';

const ATTEMPT_STATUSES = ['sent', 'unconfirmed', 'delivered', 'undelivered', 'failed'];

export class VerificationAttemptDto {
  @ApiProperty({ example: 'sms' })
  channel!: string;

  @ApiProperty({ example: 'plivo' })
  provider!: string;

  @ApiProperty({ enum: ATTEMPT_STATUSES, example: 'sent' })
  status!: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-03T10:00:00.000Z' })
  at!: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-03T10:00:02.000Z' })
  updatedAt!: string;

  @ApiPropertyOptional({ description: "the provider's error code, when it gave one" })
  errorCode?: string;
}

export class VerificationResponseDto {
  @ApiProperty({
    example: 'ver_515W9Y73NQDBTPYEVY3AYVMWY2',
    pattern: '^ver_[0-9A-HJKMNP-TV-Z]{26}$',
  })
  verificationId!: string;

  @ApiProperty({
    enum: VERIFICATION_STATUSES,
    description: 'a pending verification past expiresAt reads expired',
    example: 'pending',
  })
  status!: string;

  @ApiProperty({ example: '+14155552671' })
  phoneNumber!: string;

  @ApiProperty({ description: 'ISO 3166 alpha-2; 001 for numbers of no country', example: 'US' })
  country!: string;

  @ApiProperty({ enum: ['sms'], example: 'sms' })
  channel!: string;

  @ApiProperty({ example: 'en' })
  locale!: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-03T10:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-03T10:05:00.000Z' })
  expiresAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-03T10:00:02.000Z' })
  updatedAt!: string;

  @ApiProperty({ description: 'wrong codes tried', example: 0 })
  wrongCodes!: number;

  @ApiProperty({ description: 'true for a test number', example: false })
  test!: boolean;

  @ApiProperty({ type: [VerificationAttemptDto] })
  attempts!: VerificationAttemptDto[];
}
