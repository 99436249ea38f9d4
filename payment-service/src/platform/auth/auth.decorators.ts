import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:isPublic';

/** Opts a controller or handler out of API-key authentication (health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
