export * from './prisma';
export * from './redis';
export * from './api-key';
export * from './database.module';
export * from './accounts/password';
export * from './accounts/api-key.repository';
export * from './accounts/organizations';
export * from './seed/demo';
