import { Global, Module } from '@nestjs/common';
import { loadConfig, type Config } from './config';

/** Injection token of the validated configuration. */
export const CONFIG = Symbol('CONFIG');

/** Provides the configuration validated at boot; `main.ts` validates first and fails fast. */
@Global()
@Module({ providers: [{ provide: CONFIG, useFactory: (): Config => loadConfig() }], exports: [CONFIG] })
export class ConfigModule {}
