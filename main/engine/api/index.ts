// The skills.video client and what its callers need to act on its answers.
export {
  SkillsClient,
  DEFAULT_USER_AGENT,
  validateGenerationInput,
  type ClientOptions,
  type ClientTimeouts,
  type LocalFile,
} from './client.ts';
export {
  ApiError,
  classifyHttp,
  classifyNetworkError,
  codeSuffix,
  describeNetworkError,
  isApiError,
  parseRetryAfter,
  type ApiErrorInit,
  type CallKind,
  type LocalErrorCode,
} from './errors.ts';
export { nextPollDelayMs, POLL_ERROR_CAP_MS, type PollDelayInput } from './poll.ts';
