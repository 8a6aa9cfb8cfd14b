// Run in a child process by generate-assessments.test.ts, which kills it with SIGKILL mid-run:
// node --import tsx --conditions=@score/source assess-child.ts <baseURL> <outFile>
import { generateSyntheticDataset } from '@score/data';
import { createOpenAICompatibleModel } from '@score/llm-clients';
import { generateAssessments } from '../generate-assessments';
import { createLlmAssessor } from '../llm-assessor';
import { sampleAssessmentPairs } from '../sample-assessment-pairs';

const [baseURL, outFile] = process.argv.slice(2);
const dataset = await generateSyntheticDataset({ users: 40, items: 60, seed: 5 });
const pairs = sampleAssessmentPairs(dataset, { sample: 12, seed: 1 });
const assessor = createLlmAssessor({ model: createOpenAICompatibleModel({ baseURL, model: 'test-model', apiKey: 'sk-test', maxRetries: 0 }), maxTokens: 64 });
await generateAssessments({ pairs, assessor, outFile, concurrency: 2 });
