import { ApiProperty } from '@nestjs/swagger';

/** A user's API key as listed: never the key itself (only its SHA-256 is stored). */
export class ApiKeyResponse {
  @ApiProperty({ format: 'uuid', example: '3b241101-e2bb-4255-8caf-4136c566a962' })
  id!: string;

  @ApiProperty({ enum: ['api_key'], example: 'api_key' })
  object!: 'api_key';

  @ApiProperty({ description: 'Non-secret beginning of the key, for display.', example: 'sk_live_3q2-' })
  prefix!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Last four characters of the key, for display; null for keys issued before key management existed.',
    example: 'x9Qz',
  })
  last4!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the key last authenticated a request, to the minute (recorded at most once a minute).',
  })
  lastUsedAt!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the key was revoked; a revoked key answers 401 from then on. Null while it is valid.',
  })
  revokedAt!: string | null;
}
