import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OtpErrorCode } from '../otp.errors.js';

export class OtpRequestResponseDto {
  @ApiProperty({ enum: ['pending'], example: 'pending' })
  status!: 'pending';
  @ApiProperty({ example: '+14155552671' })
  phoneNumber!: string;
  @ApiProperty({ enum: ['sms'], example: 'sms' })
  channel!: 'sms';
  @ApiProperty({ example: 300 })
  expiresInSeconds!: number;
  @ApiProperty({ example: 30 })
  resendAfterSeconds!: number;
  @ApiProperty({ example: 5 })
  maxAttempts!: number;
}

export class OtpVerifyResponseDto {
  @ApiProperty({ enum: ['approved'], example: 'approved' })
  status!: 'approved';
  @ApiProperty({ example: '+14155552671' })
  phoneNumber!: string;
}

export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;
  @ApiProperty({ enum: OtpErrorCode, enumName: 'OtpErrorCode', example: 'otp_incorrect' })
  code!: OtpErrorCode;
  @ApiProperty({ example: 'The code is incorrect' })
  message!: string;
  @ApiPropertyOptional({ description: 'only with otp_incorrect', example: 3 })
  attemptsRemaining?: number;
}
