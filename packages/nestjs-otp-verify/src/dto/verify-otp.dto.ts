import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { BodyRules } from './body-rules.js';
import { CAPTCHA_TOKEN_DESCRIPTION, REQUEST_OTP_RULES } from './request-otp.dto.js';

/** The exact code length is OTP_LENGTH, a runtime setting, so OtpService checks it. */
export const VERIFY_OTP_RULES = {
  phoneNumber: { required: true, maxLength: 32 },
  code: { required: true, maxLength: 10 },
  captchaToken: REQUEST_OTP_RULES.captchaToken,
} as const satisfies BodyRules;

export class VerifyOtpDto {
  @ApiProperty({
    example: '+14155552671',
    maxLength: VERIFY_OTP_RULES.phoneNumber.maxLength,
  })
  phoneNumber!: string;

  @ApiProperty({
    description: 'exactly OTP_LENGTH ASCII digits',
    example: '123456',
    maxLength: VERIFY_OTP_RULES.code.maxLength,
  })
  code!: string;

  @ApiPropertyOptional({
    description: CAPTCHA_TOKEN_DESCRIPTION,
    maxLength: VERIFY_OTP_RULES.captchaToken.maxLength,
  })
  captchaToken?: string;
}

/**
 * What the handler receives. A type, not the class: the parameter's design type is then `Object`,
 * which a host app's global ValidationPipe leaves alone (the class carries no class-validator
 * rules), while the route's own pipe checks the body against the rules above.
 */
export type VerifyOtpBody = Pick<VerifyOtpDto, keyof VerifyOtpDto>;
