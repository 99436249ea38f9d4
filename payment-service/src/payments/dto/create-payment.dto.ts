import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_AMOUNT } from '../../money/domain/money';
import { IsCurrencyCode } from '../../platform/http/is-currency-code';
import { IsStringMap } from '../../platform/http/is-string-map';

export class CreatePaymentDto {
  @ApiProperty({
    description: 'Amount in minor units of the currency (cents for USD, yen for JPY).',
    example: 1999,
    minimum: 1,
    maximum: MAX_AMOUNT,
  })
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT)
  amount!: number;

  @ApiProperty({
    description: 'ISO-4217 currency code, upper case (e.g. USD, EUR, JPY).',
    example: 'USD',
    pattern: '^[A-Z]{3}$',
  })
  @IsCurrencyCode()
  currency!: string;

  @ApiProperty({
    description: 'Your reference for what is paid, e.g. an invoice id.',
    example: '7d1b0a7e-0c7c-4d5c-9d8e-2b1f4a6c9e01',
  })
  @IsString()
  @Length(1, 255)
  merchantReference!: string;

  @ApiProperty({
    description: 'Your reference for who pays, e.g. a user id.',
    example: '3f9c2a10-5b8e-4c1d-8a7f-6e2d9b0c4a11',
  })
  @IsString()
  @Length(1, 255)
  customerReference!: string;

  @ApiProperty({
    description: 'Payment method; the test methods in the API description have deterministic outcomes.',
    example: 'pm_card_visa',
    pattern: '^pm_[A-Za-z0-9_]{1,60}$',
  })
  @IsString()
  @Matches(/^pm_[A-Za-z0-9_]{1,60}$/, { message: 'paymentMethod must match ^pm_[A-Za-z0-9_]{1,60}$' })
  paymentMethod!: string;

  @ApiPropertyOptional({ example: 'Pro plan - initial invoice', maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({
    description: 'Flat object of at most 20 string values, returned as is and in webhooks.',
    example: { subscriptionId: '0b7e3c52-9a4f-4e8b-b1d2-5c6a7f8e9d10' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  @IsOptional()
  @IsStringMap({ maxEntries: 20, maxKeyLength: 40, maxValueLength: 500 })
  metadata?: Record<string, string>;
}
