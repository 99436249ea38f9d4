import { User } from '../generated/prisma/client';
import { Sql, statement } from '../platform/database/database';

const INSERT_USER = statement(
  'users_insert',
  `INSERT INTO users (id, email, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`,
);

/** Inserts a user (`updatedAt` = `createdAt`); a taken email is a unique violation on `email`. */
export async function insertUser(db: Sql, user: Omit<User, 'updatedAt'>): Promise<User> {
  await db.execute(INSERT_USER, [user.id, user.email, user.name, user.createdAt]);
  return { ...user, updatedAt: user.createdAt };
}
