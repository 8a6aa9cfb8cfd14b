// Self-assessment with an OpenAI-compatible server, with @score/self-assess and @score/llm-clients.
// A hosted API is not reachable from CI, so this program starts its own small server on 127.0.0.1
// that speaks the OpenAI chat-completions wire format (POST /v1/chat/completions with
// `messages`, answering `choices[0].message.content` and `usage`); point `baseURL` at OpenAI,
// vLLM, llama.cpp's server or Ollama instead and nothing else changes. The assessor asks the model
// to describe the user's taste from their history (the self-assessment r_t of method.md, Eq. 8),
// writes one JSON line per (user, item) pair and reuses them on a second run.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { generateSyntheticDataset } from '@score/data';
import { createOpenAICompatibleModel } from '@score/llm-clients';
import { createLlmAssessor, generateAssessments, sampleAssessmentPairs } from '@score/self-assess';

const requests: { model: string; messages: { role: string; content: string }[] }[] = [];
const server = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const json = JSON.parse(body);
    requests.push(json);
    const prompt: string = json.messages.at(-1).content;
    const titles = prompt.match(/"[^"]+"/g) ?? [];
    const content = `The user enjoys titles such as ${titles.slice(0, 2).join(' and ') || 'these'}, and may also like similar ones.`;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        model: json.model,
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
        usage: { prompt_tokens: Math.ceil(prompt.length / 4), completion_tokens: Math.ceil(content.length / 4), total_tokens: 0 },
      }),
    );
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };

const dataset = await generateSyntheticDataset({ users: 20, items: 40, seed: 1 });
const model = createOpenAICompatibleModel({ baseURL: `http://127.0.0.1:${port}/v1`, model: 'my-assessor', apiKey: 'not-needed' });
const assessor = createLlmAssessor({ model, domain: 'movies' });
const pairs = sampleAssessmentPairs(dataset, { sample: 4, seed: 1 });
const outFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'example-assess-')), 'assessments.jsonl');

const first = await generateAssessments({ pairs, assessor, outFile, concurrency: 2 });
console.log(first.generated, first.source); // 4 llm:my-assessor
console.log(first.records[0].text);
console.log(requests.length, requests[0].model); // 4 my-assessor
const rerun = await generateAssessments({ pairs, assessor, outFile }); // answers already in outFile
console.log(rerun.generated, rerun.reused, requests.length); // 0 4 4

model.dispose();
server.close();
fs.rmSync(path.dirname(outFile), { recursive: true, force: true });
