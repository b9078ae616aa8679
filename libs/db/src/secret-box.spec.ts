import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_SECRET_KEY, SecretBox, secretBoxFor, SecretKeyError } from './secret-box';

describe('secret box', () => {
  const key = randomBytes(32).toString('base64');

  it('seals with a fresh IV each time and opens only with the same key and purpose', () => {
    const box = SecretBox.fromKey(key);
    const a = box.seal('sk-admin-123', 'provider-admin-key:org:openai');
    const b = box.seal('sk-admin-123', 'provider-admin-key:org:openai');
    expect(a).not.toBe(b);
    expect(a).not.toContain('sk-admin-123');
    expect(a).toMatch(/^v1\./);
    expect(box.open(a, 'provider-admin-key:org:openai')).toBe('sk-admin-123');
    expect(() => box.open(a, 'provider-admin-key:other-org:openai')).toThrow(SecretKeyError);
    expect(() =>
      SecretBox.fromKey(randomBytes(32).toString('hex')).open(a, 'provider-admin-key:org:openai'),
    ).toThrow(/TOKENLEDGER_SECRET_KEY is not the key it was sealed with/);
    const tampered = a.slice(0, -2) + (a.endsWith('A') ? 'BB' : 'AA');
    expect(() => box.open(tampered, 'provider-admin-key:org:openai')).toThrow(SecretKeyError);
  });

  it('takes 32 bytes as hex or base64, and says what to set otherwise', () => {
    expect(() => SecretBox.fromKey(randomBytes(32).toString('hex'))).not.toThrow();
    expect(() => SecretBox.fromKey('too-short')).toThrow(/TOKENLEDGER_SECRET_KEY must be 32 bytes/);
  });

  it('needs TOKENLEDGER_SECRET_KEY in production, and uses the development key elsewhere', () => {
    expect(() => secretBoxFor({ NODE_ENV: 'production' })).toThrow(/TOKENLEDGER_SECRET_KEY is not set/);
    const dev = secretBoxFor({ NODE_ENV: 'development' });
    const sealed = dev.seal('x', 'p');
    expect(SecretBox.fromKey(DEVELOPMENT_SECRET_KEY).open(sealed, 'p')).toBe('x');
    const configured = secretBoxFor({ NODE_ENV: 'production', TOKENLEDGER_SECRET_KEY: key });
    expect(() => configured.open(sealed, 'p')).toThrow(SecretKeyError);
  });
});
