import { ApiProperty } from '@nestjs/swagger';
import { RefundResponse } from './refund.response';

export class RefundListResponse {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [RefundResponse] }) data!: RefundResponse[];
  @ApiProperty() hasMore!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) nextCursor!: string | null;
}
