import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { OtpChannel } from '../otp.service.js';

export class RequestOtpDto {
  @ApiProperty({
    description:
      'E.164, or international with spaces, dashes, dots or parentheses; national only when OTP_DEFAULT_COUNTRY is set',
    example: '+14155552671',
  })
  @IsString()
  @MaxLength(32)
  phoneNumber!: string;

  // No schema `default`: client generators then make the field required in requests.
  @ApiPropertyOptional({ enum: ['sms'], description: 'sms when left out' })
  @IsOptional()
  @IsIn(['sms'])
  channel?: OtpChannel;
}
