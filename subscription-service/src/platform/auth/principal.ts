export interface AdminPrincipal {
  readonly kind: 'admin';
}

export interface UserPrincipal {
  readonly kind: 'user';
  readonly userId: string;
}

/** Who is calling: an operator holding an admin key, or a user holding their own key. */
export type Principal = AdminPrincipal | UserPrincipal;

export function principalId(principal: Principal): string {
  return principal.kind === 'admin' ? 'admin' : `user:${principal.userId}`;
}

export function isAdmin(principal: Principal): principal is AdminPrincipal {
  return principal.kind === 'admin';
}
