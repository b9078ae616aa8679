export * from './line-item';
export * from './month';
export * from './summary';
export * from './csv';
export * from './xlsx';
export * from './pdf';
export * from './focus';
export * from './formats';
