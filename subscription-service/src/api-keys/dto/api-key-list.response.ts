import { ApiProperty } from '@nestjs/swagger';
import { ApiKeyResponse } from './api-key.response';

export class ApiKeyListResponse {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [ApiKeyResponse] })
  data!: ApiKeyResponse[];

  @ApiProperty()
  hasMore!: boolean;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  nextCursor!: string | null;
}
