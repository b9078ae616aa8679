import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets Tokenledger must use later but never show (provider admin keys, alert webhook signing
 * secrets), sealed with AES-256-GCM under a key from the environment (TOKENLEDGER_SECRET_KEY). A
 * sealed value is `v1.<iv>.<tag>.<ciphertext>` (base64url): a fresh 96-bit IV each time, and the
 * tag authenticates the ciphertext and the purpose it was sealed for, so a value copied to another
 * column or organization does not open.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** 32 bytes as 64 hex digits or base64 (`openssl rand -base64 32`). */
  static fromKey(encoded: string): SecretBox {
    const key = /^[0-9a-fA-F]{64}$/.test(encoded)
      ? Buffer.from(encoded, 'hex')
      : Buffer.from(encoded, 'base64');
    if (key.length !== 32)
      throw new SecretKeyError(
        'TOKENLEDGER_SECRET_KEY must be 32 bytes, as 64 hex digits or base64 (openssl rand -base64 32)',
      );
    return new SecretBox(key);
  }

  seal(plaintext: string, purpose: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string, purpose: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1')
      throw new SecretKeyError('the sealed secret is not in a known format');
    const [, iv, tag, body] = parts.map((p) => Buffer.from(p, 'base64url')) as [
      Buffer,
      Buffer,
      Buffer,
      Buffer,
    ];
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(Buffer.from(purpose, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretKeyError(
        'a stored secret could not be opened: TOKENLEDGER_SECRET_KEY is not the key it was sealed with; set it back, or set the secret again (connect the provider again, or recreate the alert destination)',
      );
    }
  }
}

export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

/**
 * The development key: used only when NODE_ENV is not "production" and TOKENLEDGER_SECRET_KEY is
 * unset, so `npm start` and the tests need no setup. It is public (derived from this string), so
 * secrets sealed with it are protected from nothing but casual reading.
 */
export const DEVELOPMENT_SECRET_KEY = createHash('sha256')
  .update('tokenledger development secret key: not for production')
  .digest('base64');

/**
 * The secret box of a process's configuration, or a SecretKeyError saying what to set. Called
 * when a secret is sealed or opened, not at boot: a production deployment that never connects a
 * provider nor makes an alert destination needs no key.
 */
export function secretBoxFor(config: {
  NODE_ENV: string;
  TOKENLEDGER_SECRET_KEY?: string | undefined;
}): SecretBox {
  const key = config.TOKENLEDGER_SECRET_KEY;
  if (key) return SecretBox.fromKey(key);
  if (config.NODE_ENV === 'production')
    throw new SecretKeyError(
      'TOKENLEDGER_SECRET_KEY is not set: it encrypts provider admin keys and alert webhook signing secrets at rest. Set it to 32 random bytes (openssl rand -base64 32) and try again',
    );
  return SecretBox.fromKey(DEVELOPMENT_SECRET_KEY);
}
