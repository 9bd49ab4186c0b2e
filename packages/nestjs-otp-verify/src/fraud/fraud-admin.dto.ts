import { ApiProperty } from '@nestjs/swagger';

export class QuarantinedPrefixDto {
  @ApiProperty({
    example: '44740012',
    nullable: true,
    type: String,
    description: 'Leading digits of E.164, country code included; null for a country',
  })
  prefix!: string | null;
  @ApiProperty({ example: 'GB', description: 'ISO 3166 alpha-2; 001 for international networks' })
  country!: string;
  @ApiProperty({ example: 40, description: 'Sends in the sliding window when it was quarantined' })
  sends!: number;
  @ApiProperty({ example: 1, description: 'Approved codes in the same window' })
  approvals!: number;
  @ApiProperty({ example: 0.025, description: 'approvals ÷ sends' })
  conversion!: number;
  @ApiProperty({ example: '2026-11-27T18:00:00Z', format: 'date-time' })
  quarantinedUntil!: string;
}
