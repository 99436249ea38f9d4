import { ApiProperty } from '@nestjs/swagger';
import { ApiKeyResponse } from './api-key.response';

/** A newly issued key: the listed fields plus the secret, in this response only. */
export class CreatedApiKeyResponse extends ApiKeyResponse {
  @ApiProperty({
    description:
      'The API key. Shown only in this response (Cache-Control: no-store); only its SHA-256 is stored, so a lost key cannot be shown again: issue another.',
    example: 'sk_live_3q2-7wEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEx9Qz',
  })
  key!: string;
}
