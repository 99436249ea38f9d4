import { ApiKey } from '../generated/prisma/client';
import { ApiKeyResponse } from './dto/api-key.response';

/** The API view of a key row: display parts and dates, never the hash. */
export function toApiKeyResponse(row: ApiKey): ApiKeyResponse {
  return {
    id: row.id,
    object: 'api_key',
    prefix: row.prefix,
    last4: row.last4,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
