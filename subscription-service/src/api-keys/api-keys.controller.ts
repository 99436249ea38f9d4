import { Controller, Delete, Get, Header, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal } from '../platform/auth/auth.decorators';
import { Principal } from '../platform/auth/principal';
import { ListPage, PaginationQuery } from '../platform/http/pagination';
import { ProblemDoc, ProblemResponses } from '../platform/http/problem-responses';
import { Idempotency, IdempotencyRequest } from '../platform/idempotency/idempotency-key';
import { IdempotentResult } from '../platform/idempotency/idempotent-transaction';
import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyListResponse } from './dto/api-key-list.response';
import { ApiKeyResponse } from './dto/api-key.response';
import { CreatedApiKeyResponse } from './dto/created-api-key.response';

@ApiTags('api-keys')
@ApiBearerAuth('api-key')
@ProblemResponses()
@ApiNotFoundResponse({ type: ProblemDoc, description: "not_found: unknown user, another user's id, unknown key" })
@Controller('v1/users/:id/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Issue a new API key (admin, or the user themself; anyone else gets 404).',
    description:
      'No body. The key is in this response only (Cache-Control: no-store; a replay with the same Idempotency-Key omits it). ' +
      'A user may hold several keys: to rotate, issue a new one, switch the client to it, then revoke the old one.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) userId: string,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<IdempotentResult<CreatedApiKeyResponse>> {
    return this.keys.create(principal, userId, idempotency);
  }

  @Get()
  @ApiOperation({
    summary: "List the user's API keys, revoked ones included, newest first (admin, or the user themself).",
  })
  @ApiOkResponse({ type: ApiKeyListResponse })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) userId: string,
    @Query() query: PaginationQuery,
  ): Promise<ListPage<ApiKeyResponse>> {
    return this.keys.list(principal, userId, query);
  }

  @Delete(':keyId')
  @ApiOperation({
    summary: 'Revoke an API key (admin, or the user themself): it answers 401 from the next request on.',
    description: 'Revoking a revoked key answers it unchanged (200, same `revokedAt`).',
  })
  @ApiOkResponse({ type: ApiKeyResponse })
  revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) userId: string,
    @Param('keyId', ParseUUIDPipe) keyId: string,
  ): Promise<ApiKeyResponse> {
    return this.keys.revoke(principal, userId, keyId);
  }
}
