export * from './period';
export * from './budget-rules';
export * from './thresholds';
