import type { LoggerService } from '@nestjs/common';
import pino, { type Logger, type LoggerOptions } from 'pino';
import type { Config } from './config';

/** Pino options shared by every process: JSON in production, one readable line per entry locally. */
export function pinoOptions(config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>, name: string): LoggerOptions {
  return {
    name,
    level: config.LOG_LEVEL,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'],
    ...(config.LOG_FORMAT === 'pretty'
      ? {
          transport: {
            target: 'pino-pretty',
            options: { singleLine: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name' },
          },
        }
      : {}),
  };
}

export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>, name: string): Logger {
  return pino(pinoOptions(config, name));
}

/** Nest's logger interface over a pino logger, so framework and application logs share one stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    const stack = context ? stackOrContext : undefined;
    this.write('error', stack ? `${String(message)}\n${stack}` : message, context ?? stackOrContext);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    context?: string,
  ): void {
    // Nest's start-up chatter (module and route lists) is noise at info level.
    if (
      level === 'info' &&
      (context === 'InstanceLoader' || context === 'RoutesResolver' || context === 'RouterExplorer')
    ) {
      this.logger.debug({ context }, String(message));
      return;
    }
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level](context ? { context } : {}, String(message));
  }
}
