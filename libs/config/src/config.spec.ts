import { describe, expect, it } from 'vitest';
import { ConfigError, describeDatabaseUrl, loadConfig } from './config';

describe('loadConfig', () => {
  it('has local defaults', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/tokenledger');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.PORT).toBe(4000);
    expect(config.DASHBOARD_PORT).toBe(5173);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(4000);
  });

  it('names every bad variable and what it got', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain('PORT');
      expect(message).toContain('"abc"');
      expect(message).toContain('DATABASE_URL must be a URL starting with postgresql:// or postgres://');
      expect(message).toContain('LOG_LEVEL');
    }
  });

  it('bounds the worker priority to nice 0-19', () => {
    expect(loadConfig({}).WORKER_NICE).toBe(10);
    expect(loadConfig({ WORKER_NICE: '0' }).WORKER_NICE).toBe(0);
    expect(() => loadConfig({ WORKER_NICE: '20' })).toThrow(/WORKER_NICE.*must be at most 19/);
  });

  it('describes a database URL without its password', () => {
    expect(describeDatabaseUrl('postgresql://u:secret@db:6543/x')).toBe('db:6543/x');
  });
});

describe('reconciliation settings', () => {
  it('accepts a 32-byte TOKENLEDGER_SECRET_KEY and names the variable otherwise', () => {
    expect(loadConfig({}).TOKENLEDGER_SECRET_KEY).toBeUndefined();
    expect(loadConfig({ TOKENLEDGER_SECRET_KEY: 'a'.repeat(64) }).TOKENLEDGER_SECRET_KEY).toBe(
      'a'.repeat(64),
    );
    expect(() => loadConfig({ TOKENLEDGER_SECRET_KEY: 'short' })).toThrow(
      /TOKENLEDGER_SECRET_KEY must be 32 bytes/,
    );
    expect(loadConfig({}).RECONCILE_SCHEDULE).toBe('0 5 * * *');
    expect(() => loadConfig({ RECONCILE_SCHEDULE: 'daily' })).toThrow(
      /RECONCILE_SCHEDULE must be a cron pattern/,
    );
  });
});
