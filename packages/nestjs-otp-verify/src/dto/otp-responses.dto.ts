import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OtpErrorCode } from '../otp.errors.js';

const VERIFICATION_ID = {
  description: 'names the verification: GET otp/verifications/{verificationId}',
  example: 'ver_515W9Y73NQDBTPYEVY3AYVMWY2',
  pattern: '^ver_[0-9A-HJKMNP-TV-Z]{26}$',
};

export class OtpRequestResponseDto {
  @ApiProperty(VERIFICATION_ID)
  verificationId!: string;

  @ApiProperty({ enum: ['pending'], example: 'pending' })
  status!: 'pending';
  @ApiProperty({ example: '+14155552671' })
  phoneNumber!: string;
  @ApiProperty({ enum: ['sms'], example: 'sms' })
  channel!: 'sms';

  @ApiProperty({ example: 'en' })
  locale!: string;
  @ApiProperty({ example: 300 })
  expiresInSeconds!: number;
  @ApiProperty({ example: 30 })
  resendAfterSeconds!: number;
  @ApiProperty({ example: 5 })
  maxAttempts!: number;
}

export class OtpVerifyResponseDto {
  @ApiProperty(VERIFICATION_ID)
  verificationId!: string;

  @ApiProperty({ enum: ['approved'], example: 'approved' })
  status!: 'approved';
  @ApiProperty({ example: '+14155552671' })
  phoneNumber!: string;
  @ApiProperty({
    description:
      'JWT (compact JWS, EdDSA or ES256) saying this number was verified: sub and phone_number are the number, amr ["sms"], a unique jti. Verify it against /.well-known/jwks.json.',
    example:
      'eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCIsImtpZCI6Ii4uLiJ9.eyJpc3MiOiJvdHAtdmVyaWZ5In0.c2ln',
  })
  verificationToken!: string;
  @ApiProperty({ description: 'seconds until the token expires (exp - iat)', example: 600 })
  tokenExpiresInSeconds!: number;
}

export class OtpJwkDto {
  @ApiProperty({ enum: ['OKP', 'EC'], example: 'OKP' })
  kty!: string;
  @ApiProperty({ enum: ['Ed25519', 'P-256'], example: 'Ed25519' })
  crv!: string;
  @ApiProperty({ description: 'public key coordinate, base64url' })
  x!: string;
  @ApiPropertyOptional({ description: 'P-256 only, base64url' })
  y?: string;
  @ApiProperty({ description: 'RFC 7638 thumbprint of the key; the kid of tokens it signed' })
  kid!: string;
  @ApiProperty({ enum: ['EdDSA', 'ES256'], example: 'EdDSA' })
  alg!: string;
  @ApiProperty({ enum: ['sig'], example: 'sig' })
  use!: 'sig';
}

export class OtpJwksResponseDto {
  @ApiProperty({
    type: [OtpJwkDto],
    description: 'the signing key first, then the keys of OTP_TOKEN_PREVIOUS_PUBLIC_KEYS',
  })
  keys!: OtpJwkDto[];
}

export class CaptchaChallengeDto {
  @ApiProperty({ enum: ['turnstile', 'hcaptcha', 'recaptcha'], example: 'turnstile' })
  provider!: string;
  @ApiProperty({ example: '0x4AAAAAAAexample' })
  siteKey!: string;
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

  @ApiPropertyOptional({
    description: 'only with verification_not_pending: what the verification is',
    example: 'approved',
  })
  status?: string;
  @ApiPropertyOptional({
    type: CaptchaChallengeDto,
    description: 'only with captcha_required: the widget to render',
  })
  captcha?: CaptchaChallengeDto;
  @ApiPropertyOptional({
    description:
      'only with sms_delivery_failed, when a provider answer was lost: the code may still arrive, stays pending and the send counted; wait Retry-After seconds',
    enum: [true],
  })
  mayHaveBeenSent?: true;
}
