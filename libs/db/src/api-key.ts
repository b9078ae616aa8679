import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomToken(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 248) out += ALPHABET[b % 62]; // 248 = 4 × 62: no modulo bias
  }
  return out.length === length ? out : randomToken(length);
}

export interface GeneratedSecret {
  /** The whole key, shown once. */
  secret: string;
  /** The public part, stored and shown in listings (`tlk_AbCd1234`). */
  prefix: string;
  /** SHA-256 of the whole key: what is stored. Keys are high-entropy, so a fast hash is right. */
  secretHash: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** `tlk_<8>_<32>` for API keys; sessions use `tls_`, invitations `tli_`. */
export function generateSecret(kind: 'tlk' | 'tls' | 'tli' = 'tlk'): GeneratedSecret {
  const prefix = `${kind}_${randomToken(8)}`;
  const secret = `${prefix}_${randomToken(32)}`;
  return { secret, prefix, secretHash: hashSecret(secret) };
}
