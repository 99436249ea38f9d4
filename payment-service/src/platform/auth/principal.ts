/** The authenticated caller: one per API key, identified without revealing the key. */
export interface Principal {
  id: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by ApiKeyGuard on authenticated routes. */
    principal?: Principal;
  }
}
