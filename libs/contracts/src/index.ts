export * from './errors';
export * from './usage-event';
export * from './jobs';
export * from './token-kinds';
export { partErrors, readUsage, usageProblem } from './usage-rules';
