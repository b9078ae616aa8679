import { hash, verify } from '@node-rs/argon2';

/** Argon2id (the library's default) with 19 MiB, t=2, p=1: OWASP's minimum recommendation. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
