export * from './money';
export * from './rate-card';
export * from './snapshot';
export * from './match';
export {
  buildPricer,
  CatalogError,
  GATEWAY_PROVIDERS,
  type Pricer,
  type PricingResult,
  type PricingStatus,
} from './pricer';
export * from './catalog/model-facts';
export * from './catalog/genai-prices';
export * from './catalog/curated';
export * from './catalog/market';
export * from './catalog/builtin';
export * from './catalog/litellm';
export * from './coverage';
export * from './effective-price';
