import { ApiProperty } from '@nestjs/swagger';
import { StatusChangeResponse } from './status-change.response';

export class StatusHistoryResponse {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [StatusChangeResponse], description: 'The whole history, oldest first.' })
  data!: StatusChangeResponse[];

  @ApiProperty({ example: false })
  hasMore!: false;

  @ApiProperty({ type: String, nullable: true, example: null })
  nextCursor!: null;
}
