// P(yes) from an OpenAI-compatible server with @score/llm-clients, e.g. vLLM serving the
// recommender LM with a LoRA adapter registered as `score-lora`. Each prompt is one request with
// `max_tokens: 1`, `temperature: 0` and `logprobs`; P(yes) is the softmax over the log-probabilities
// of the "Yes" and "No" tokens among the top ones (method.md, Eq. 14). A real server is not
// reachable from CI, so this program starts a small one on 127.0.0.1 that answers
// `/v1/completions` in the legacy `top_logprobs` shape; point `baseURL` at vLLM or llama.cpp's
// server instead and nothing else changes.
import http from 'node:http';
import { createOpenAICompatibleModel } from '@score/llm-clients';

const requests: { model: string; prompt: string; max_tokens: number; logprobs: number }[] = [];
const server = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    requests.push(JSON.parse(body));
    // log P(" Yes") = -0.2 and log P(" No") = -1.8 for every prompt.
    const top = { ' Yes': -0.2, ' No': -1.8, ' The': -4 };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ choices: [{ index: 0, text: ' Yes', logprobs: { tokens: [' Yes'], token_logprobs: [-0.2], top_logprobs: [top] } }] }));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;

const prompts = ['The user liked Heat (1995). Will the user like Casino (1995)? Answer Yes or No.'];
const model = createOpenAICompatibleModel({ baseURL, model: 'score-lora', endpoint: 'completions' });
const scores = await model.scoreYesNo(prompts);
console.log(scores[0]!.probability.toFixed(4)); // 0.8320
console.log(requests[0]!.model, requests[0]!.max_tokens); // score-lora 1
await model.dispose();
server.close();
