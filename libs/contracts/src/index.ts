export * from './errors';
export * from './usage-event';
export * from './jobs';
