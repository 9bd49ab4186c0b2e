import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { OtpChannel } from '../otp-results.js';
import type { BodyRules } from './body-rules.js';

export const REQUEST_OTP_RULES = {
  phoneNumber: { required: true, maxLength: 32 },
  channel: { required: false, maxLength: 8, oneOf: ['sms', 'voice'] },
  locale: { required: false, maxLength: 35 },
  captchaToken: { required: false, maxLength: 4096 },
} as const satisfies BodyRules;

export const CAPTCHA_TOKEN_DESCRIPTION =
  'The token of a solved challenge (Turnstile, hCaptcha or reCAPTCHA), after a 403 captcha_required';

export class RequestOtpDto {
  @ApiProperty({
    description:
      'E.164, or international with spaces, dashes, dots or parentheses; national only when OTP_DEFAULT_COUNTRY is set',
    example: '+14155552671',
    maxLength: REQUEST_OTP_RULES.phoneNumber.maxLength,
  })
  phoneNumber!: string;

  // No schema `default`: client generators then make the field required in requests.
  @ApiPropertyOptional({ enum: REQUEST_OTP_RULES.channel.oneOf, description: 'sms when left out' })
  channel?: OtpChannel;

  @ApiPropertyOptional({
    description:
      "BCP 47 language tag (fr, pt-BR) of the text; the number's country decides when left out or unknown",
    example: 'fr',
    maxLength: REQUEST_OTP_RULES.locale.maxLength,
  })
  locale?: string;

  @ApiPropertyOptional({
    description: CAPTCHA_TOKEN_DESCRIPTION,
    maxLength: REQUEST_OTP_RULES.captchaToken.maxLength,
  })
  captchaToken?: string;
}

/**
 * What the handler receives. A type, not the class: the parameter's design type is then `Object`,
 * which a host app's global ValidationPipe leaves alone (the class carries no class-validator
 * rules), while the route's own pipe checks the body against the rules above.
 */
export type RequestOtpBody = Pick<RequestOtpDto, keyof RequestOtpDto>;
