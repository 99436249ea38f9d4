import { Body, Controller, Get, Header, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal } from '../platform/auth/auth.decorators';
import { Principal } from '../platform/auth/principal';
import { ProblemDoc, ProblemResponses } from '../platform/http/problem-responses';
import { Idempotency, IdempotencyRequest } from '../platform/idempotency/idempotency-key';
import { IdempotentResult } from '../platform/idempotency/idempotent-transaction';
import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import { ListPage, PaginationQuery } from '../platform/http/pagination';
import {
  CreatedUserResponse,
  CreateUserRequest,
  UpdateUserRequest,
  UserListResponse,
  UserResponse,
} from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth('api-key')
@ProblemResponses()
@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post('v1/users')
  @AdminOnly()
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      "Create a user (admin). The response carries the user's API key, shown once (a replay with the same Idempotency-Key omits it).",
  })
  @ApiCreatedResponse({ type: CreatedUserResponse })
  @ApiConflictResponse({ type: ProblemDoc, description: 'email_taken' })
  create(
    @Body() body: CreateUserRequest,
    @Idempotency() idempotency: IdempotencyRequest | undefined,
  ): Promise<IdempotentResult<CreatedUserResponse>> {
    return this.users.createUser(body, idempotency);
  }

  @Get('v1/users')
  @AdminOnly()
  @ApiOperation({ summary: 'List users (admin), newest first.' })
  @ApiOkResponse({ type: UserListResponse })
  list(@Query() query: PaginationQuery): Promise<ListPage<UserResponse>> {
    return this.users.listUsers(query);
  }

  @Get('v1/me')
  @ApiOperation({ summary: 'The user that owns the API key.' })
  @ApiOkResponse({ type: UserResponse })
  me(@CurrentPrincipal() principal: Principal): Promise<UserResponse> {
    return this.users.getCurrentUser(principal);
  }

  @Get('v1/users/:id')
  @ApiOperation({ summary: 'Get a user (admin, or the user themself; anyone else gets 404).' })
  @ApiOkResponse({ type: UserResponse })
  @ApiNotFoundResponse({ type: ProblemDoc, description: 'not_found' })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<UserResponse> {
    return this.users.getUser(principal, id);
  }

  @Patch('v1/users/:id')
  @ApiOperation({ summary: 'Update name and/or email (admin, or the user themself).' })
  @ApiOkResponse({ type: UserResponse })
  @ApiConflictResponse({ type: ProblemDoc, description: 'email_taken' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateUserRequest,
  ): Promise<UserResponse> {
    return this.users.updateUser(principal, id, body);
  }
}
