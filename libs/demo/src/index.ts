export * from './random';
export * from './company';
export * from './features';
export * from './demo-traffic';
export * from './api-event';
export * from './anomalies';
