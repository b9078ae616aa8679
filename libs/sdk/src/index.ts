export { Tokenledger, type TokenledgerOptions, type TokenledgerStats } from './tokenledger.js';
export { withContext, getContext, contextPropagatesAcrossAwait } from './context.js';
export { newEventId } from './event-id.js';
export {
  TokenledgerSdkError,
  type SdkErrorCode,
  type RejectedEventReport,
  type TokenledgerSdkErrorInit,
} from './errors.js';
export {
  MAX_BATCH_BYTES,
  MAX_EVENTS_PER_BATCH,
  MAX_TAGS,
  type ApiErrorCode,
  type EventContext,
  type EventStatus,
  type FieldError,
  type IngestResult,
  type Modality,
  type RejectedEvent,
  type ServiceTier,
  type TrackEvent,
  type Usage,
  type UsageEvent,
} from './event.js';
export type { FetchLike, ResponseLike } from './transport.js';
export type { WrapOptions } from './instrument.js';
export {
  wrapOpenAI,
  usageFromChatCompletion,
  usageFromResponse,
  type OpenAILike,
  type OpenAIChatUsage,
  type OpenAIResponsesUsage,
} from './openai.js';
export { wrapAnthropic, usageFromAnthropic, type AnthropicLike, type AnthropicUsage } from './anthropic.js';
export { BudgetExceededError, type BudgetCheck, type BudgetLabels, type BindingBudget } from './budgets.js';
