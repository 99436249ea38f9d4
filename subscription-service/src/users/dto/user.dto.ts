import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { SEED_IDS } from '../../seed-ids';

const normaliseEmail = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;
const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class CreateUserRequest {
  @ApiProperty({ example: 'carol@example.com', maxLength: 254 })
  @Transform(normaliseEmail)
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'Carol Example', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
}

export class UpdateUserRequest {
  @ApiPropertyOptional({ example: 'alice.new@example.com', maxLength: 254 })
  @IsOptional()
  @Transform(normaliseEmail)
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: 'Alice Renamed', maxLength: 200 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid', example: SEED_IDS.users.alice })
  id!: string;

  @ApiProperty({ enum: ['user'], example: 'user' })
  object!: 'user';

  @ApiProperty({ example: 'alice@example.com' })
  email!: string;

  @ApiProperty({ example: 'Alice Example' })
  name!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class CreatedUserResponse extends UserResponse {
  @ApiProperty({
    description:
      "The user's first API key. Shown only in this response (Cache-Control: no-store); only its SHA-256 is stored. Manage keys at /v1/users/{id}/api-keys.",
    example: 'sk_live_3q2-7wEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE0',
  })
  apiKey!: string;
}

export class UserListResponse {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [UserResponse] })
  data!: UserResponse[];

  @ApiProperty()
  hasMore!: boolean;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  nextCursor!: string | null;
}
