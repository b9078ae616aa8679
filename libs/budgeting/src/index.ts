export * from './period';
export * from './budget-rules';
export * from './thresholds';
export * from './forecast';
export * from './backtest';
export * from './anomaly';
