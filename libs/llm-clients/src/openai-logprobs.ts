import type { TokenLogprob } from './yes-no-score';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entry(token: unknown, logprob: unknown): TokenLogprob | undefined {
  return typeof token === 'string' && typeof logprob === 'number' && !Number.isNaN(logprob) ? { token, logprob } : undefined;
}

/**
 * The candidates of the first generated position in an OpenAI-style response choice, from
 * either shape:
 * - chat: `logprobs.content[0]` (`{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}`),
 *   also sent by llama.cpp's server and vLLM on `/v1/completions`;
 * - legacy completions: `logprobs.tokens[0]`, `logprobs.token_logprobs[0]` and
 *   `logprobs.top_logprobs[0]` (a map from token to log-probability).
 *
 * Returns `undefined` when the choice carries no log-probabilities for that position.
 */
export function firstPositionLogprobs(choice: unknown): TokenLogprob[] | undefined {
  if (!isRecord(choice) || !isRecord(choice.logprobs)) return undefined;
  const logprobs = choice.logprobs;
  const found: TokenLogprob[] = [];
  if (Array.isArray(logprobs.content)) {
    const first = logprobs.content[0];
    if (!isRecord(first)) return undefined;
    const chosen = entry(first.token, first.logprob);
    if (chosen) found.push(chosen);
    if (Array.isArray(first.top_logprobs)) {
      for (const candidate of first.top_logprobs) {
        const item = isRecord(candidate) ? entry(candidate.token, candidate.logprob) : undefined;
        if (item) found.push(item);
      }
    }
  } else if (Array.isArray(logprobs.top_logprobs) || Array.isArray(logprobs.tokens)) {
    const chosen = Array.isArray(logprobs.tokens) && Array.isArray(logprobs.token_logprobs) ? entry(logprobs.tokens[0], logprobs.token_logprobs[0]) : undefined;
    if (chosen) found.push(chosen);
    const top = Array.isArray(logprobs.top_logprobs) ? logprobs.top_logprobs[0] : undefined;
    if (isRecord(top)) {
      for (const [token, logprob] of Object.entries(top)) {
        const item = entry(token, logprob);
        if (item) found.push(item);
      }
    }
  }
  if (found.length === 0) return undefined;
  // The chosen token is usually listed among the top ones too; keep each token once.
  const unique = new Map<string, TokenLogprob>();
  for (const item of found) if (!unique.has(item.token)) unique.set(item.token, item);
  return [...unique.values()];
}
