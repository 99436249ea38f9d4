import { ApiProperty } from '@nestjs/swagger';
import { SubscriptionResponse } from './subscription.response';

export class SubscriptionListResponse {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [SubscriptionResponse] })
  data!: SubscriptionResponse[];

  @ApiProperty()
  hasMore!: boolean;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  nextCursor!: string | null;
}
