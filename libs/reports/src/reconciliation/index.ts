export * from './provider-rows';
export * from './provider-pages';
export * from './reconcile';
