import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OtpJwksResponseDto } from '../dto/otp-responses.dto.js';
import { type OtpJwks, OtpTokenSigner } from './otp-token-signer.js';

/**
 * The public keys that verify `verificationToken`s, where JOSE libraries look for them. Open to
 * everyone, API keys or not: public keys are no secret, and a backend needs them to trust a token.
 */
@ApiTags('tokens')
@Controller('.well-known')
export class OtpJwksController {
  constructor(private readonly signer: OtpTokenSigner) {}

  @Get('jwks.json')
  // Short enough that a rotation's new key is seen within minutes.
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary: 'Public keys (JWKS) that verify verification tokens',
    description:
      'The current signing key and the previous ones still accepted after a rotation, each with kid, alg and use: a backend verifies a verificationToken against this document with any JOSE library.',
  })
  @ApiOkResponse({ type: OtpJwksResponseDto })
  jwks(): OtpJwks {
    return this.signer.jwks();
  }
}
