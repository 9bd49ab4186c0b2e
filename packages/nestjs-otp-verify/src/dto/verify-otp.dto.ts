import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class VerifyOtpDto {
  @ApiProperty({ example: '+14155552671' })
  @IsString()
  @MaxLength(32)
  phoneNumber!: string;

  /** The exact length is OTP_LENGTH, a runtime setting, so OtpService checks it. */
  @ApiProperty({ description: 'exactly OTP_LENGTH ASCII digits', example: '123456' })
  @IsString()
  @MaxLength(10)
  code!: string;
}
