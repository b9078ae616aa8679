export * from './errors';
export * from './usage-event';
export * from './jobs';
export * from './token-kinds';
export { completeUsage, partErrors, readUsage, usageProblem } from './usage-rules';
