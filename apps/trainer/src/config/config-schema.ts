import { DOMAIN_PRESETS } from '@score/prompt-kit';
import { z } from 'zod';
import { nonEmptyString, nonNegativeInt, positiveInt, section } from './schema-helpers';

const ENCODER_FORMS = '"scratch", "pooled", "onnx:PATH" or "bert:PATH" (PATH a model folder, or "model:NAME" for a registry model such as model:all-minilm-l6-v2)';
/** Encoder specs: scratch | pooled | onnx:PATH | bert:PATH, where PATH may be model:NAME (not an empty name). */
const ENCODER_SPEC_PATTERN = /^(scratch|pooled|(onnx|bert):(?!\s*$)(?!model:\s*$).+)$/s;
const LLM_BACKEND_PATTERN = /^((openai|openai-completions|vllm|ollama|llama-server):[^#]*#.+|llamacpp:.+)$/;
const LLM_BACKEND_FORMS = '"openai:URL#MODEL", "openai-completions:URL#MODEL", "vllm:[URL]#MODEL", "ollama:[URL]#MODEL", "llama-server:[URL]#MODEL" or "llamacpp:PATH[#LORA]" (PATH a .gguf file, or "model:NAME" for a registry model such as model:smollm2-135m-instruct)';

/** A text-encoder spec: scratch | pooled | onnx:PATH | bert:PATH (PATH may be model:NAME). */
const encoderSpec = () =>
  z.string().refine((value) => ENCODER_SPEC_PATTERN.test(value), { error: `must be ${ENCODER_FORMS}` });

/** Names of the linear layers of a Llama block that LoRA can adapt. */
export const LORA_TARGETS = Object.freeze(['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const);

const syntheticSource = section({
  kind: z.literal('synthetic').describe('The embedded synthetic generator (clustered tastes, drifting over 20 months); needs no files.'),
  seed: nonNegativeInt().default(42).describe('Seed of the generator; the same seed gives the same data.'),
  users: positiveInt().default(600).describe('Number of users generated (ML-1M has 6,040).'),
  items: positiveInt().default(800).describe('Number of items generated (ML-1M has 3,706 rated).'),
  clusterItemTaste: z.number().min(0).max(5).optional().describe('Standard deviation of each taste cluster\'s own liking of each item beyond its genres (a liked genre is worth about 1.5-2): the part of taste that titles cannot reveal and only similar users\' behaviour shows. Default: the generator\'s (0.4).'),
  clusters: positiveInt().max(1000).optional().describe('Taste clusters; each likes a few genres and has its own favourite items. Default: the generator\'s (8).'),
  ratingNoise: z.number().min(0).max(5).optional().describe('Standard deviation of the rating noise, in stars. Default: the generator\'s (0.7).'),
  sessionFocus: z.number().min(0).max(1).optional().describe('Weight (0-1) of the current session\'s cluster in the taste mix of a visit. Default: the generator\'s (0.75).'),
  drift: z.number().min(0).max(1).optional().describe('Most (0-1) a gradually drifting user\'s taste moves towards a new cluster over their active period. Default: the generator\'s (0.8).'),
  switchShare: z.number().min(0).max(1).optional().describe('Share (0-1) of users who switch abruptly to a new main cluster, mostly in the valid and test months. Default: the generator\'s (0.5).'),
  exploration: z.number().min(0).max(1).optional().describe('Share (0-1) of interactions picked by popularity alone rather than by taste. Default: the generator\'s (0.3).'),
  popularitySkew: z.number().min(0).max(3).optional().describe('Zipf exponent of item popularity. Default: the generator\'s (1).'),
});

const movieLens1MSource = section({
  kind: z.literal('ml-1m').describe('MovieLens-1M in its native files.'),
  dir: nonEmptyString().describe('Folder holding ratings.dat and movies.dat (relative paths are resolved against the working directory).'),
});

const movieLens100KSource = section({
  kind: z.literal('ml-100k').describe('MovieLens-100K in its native files.'),
  dir: nonEmptyString().describe('Folder holding u.data and u.item.'),
});

const amazonSource = section({
  kind: z.literal('amazon').describe('Amazon reviews and metadata, JSON lines (2014 or 2018 field names).'),
  reviews: nonEmptyString().describe('Reviews file (JSON lines, optionally .gz), e.g. Video_Games.json.gz.'),
  meta: nonEmptyString().describe('Metadata file (JSON lines, optionally .gz), e.g. meta_Video_Games.json.gz.'),
});

const genericSource = section({
  kind: z.literal('generic').describe('Generic tables: interactions (user_id, item_id, timestamp, rating or label, optional split) and items (item_id, title, attribute columns).'),
  interactions: nonEmptyString().describe('Interactions file: CSV, TSV or JSON lines.'),
  items: nonEmptyString().describe('Items file: CSV, TSV or JSON lines; multi-valued columns are written "Action|Comedy".'),
  format: z.enum(['csv', 'tsv', 'jsonl']).optional().describe('Format of both files. Default: each file\'s extension decides.'),
  // reliability: timestamp unit of the generic interactions file.
  timestampUnit: z.enum(['seconds', 'milliseconds']).optional().describe('Unit of the interactions\' timestamp column (default seconds); milliseconds are divided by 1000. A seconds column holding milliseconds (values above 1e11, after the year 5138) is refused with this fix.'),
});

const sourceKinds = ['synthetic', 'ml-1m', 'ml-100k', 'amazon', 'generic'] as const;

const dataSource = z
  .discriminatedUnion('kind', [syntheticSource, movieLens1MSource, movieLens100KSource, amazonSource, genericSource], {
    error: (issue) => (issue.code === 'invalid_union' ? `"kind" must be one of ${sourceKinds.map((kind) => `"${kind}"`).join(', ')}` : undefined),
  })
  .prefault({ kind: 'synthetic' })
  .describe('Where the interactions come from, chosen by `kind`.');

const threshold = (value: number) => z.number().default(value).describe(`Ratings above this are positive (at or above with \`inclusive\`). Paper: > 3 on ML-1M, >= 4 on Amazon.`);
const inclusive = () => z.boolean().default(false).describe('Count a rating equal to `threshold` as positive.');

const autoProtocol = section({
  kind: z.literal('auto').describe('The source\'s own protocol: ml-1m for MovieLens-1M, amazon-games for Amazon, the given split column for generic files, 10/5/5 of 20 months for synthetic data.'),
  threshold: z.number().optional().describe('Overrides the rating threshold of the chosen protocol (months-based protocols only). Default: the protocol\'s own.'),
  inclusive: z.boolean().optional().describe('With `threshold`: count a rating equal to it as positive. Default: false.'),
});

const protocolKinds = ['auto', 'ml-1m', 'amazon-games', 'given-split', 'months'] as const;

const protocol = z
  .preprocess(
    (value) => (typeof value === 'string' ? { kind: value } : value),
    z.discriminatedUnion(
      'kind',
      [
        autoProtocol,
        section({ kind: z.literal('ml-1m').describe('CoLLM/BinLLM ML-1M split: rating > 3 positive, last 20 months (dropping the final one), 10/5/5 months.') }),
        section({ kind: z.literal('amazon-games').describe('Paper\'s Amazon-Games split: 2013-2017, rating >= 4 positive, first 49 months train, the rest halved into valid and test.') }),
        section({
          kind: z.literal('given-split').describe('Keep the split column of the generic interactions file.'),
          threshold: threshold(3),
          inclusive: inclusive(),
        }),
        section({
          kind: z.literal('months').describe('A custom temporal split counted in calendar months (UTC).'),
          threshold: threshold(3),
          inclusive: inclusive(),
          lastMonths: positiveInt().optional().describe('Keep only the last N months. Default: every month.'),
          skipLastMonths: nonNegativeInt().default(0).describe('Drop this many latest months before counting `lastMonths`.'),
          trainMonths: positiveInt().describe('Months of train at the start of the window (required).'),
          validMonths: positiveInt().optional().describe('Months of valid after train. Default: the rows after train are halved by count.'),
          testMonths: positiveInt().optional().describe('Months of test after valid. Default: the rest of the window.'),
        }),
      ],
      { error: (issue) => (issue.code === 'invalid_union' ? `"kind" must be one of ${protocolKinds.map((kind) => `"${kind}"`).join(', ')}` : undefined) },
    ),
  )
  .default({ kind: 'auto' })
  .describe('Labelling and split protocol, by `kind`; a bare string ("ml-1m") is short for `{ kind: ml-1m }`.');

const loraSection = section({
  rank: positiveInt().default(8).describe('LoRA rank r (paper: 8).'),
  alpha: z.number().positive().default(32).describe('LoRA alpha (paper: 32).'),
  dropout: z.number().min(0).max(1).default(0.1).describe('Dropout on the LoRA input (paper: 0.1).'),
  targets: z
    .array(z.enum(LORA_TARGETS))
    .min(1)
    .default([...LORA_TARGETS])
    .describe('Projections adapted in every block (paper: q, k, v, o, gate, up, down).'),
});

const checkpointModel = section({
  base: nonEmptyString().describe('Folder of a Hugging Face Llama checkpoint (config.json, tokenizer.json, *.safetensors), a llama-architecture .gguf file, or model:NAME of the model registry (e.g. model:smollm2-135m-instruct, pulled on first use; GGUF weights are dequantized to float32 in tfjs); paper: Llama-3.1-8B-Instruct.'),
  lora: loraSection.prefault({}).describe('LoRA adapter settings.'),
  // GGUF route (issue 16): adapters on the top blocks only.
  topBlocks: positiveInt().optional().describe('GGUF base only: adapters on the top k blocks only, the frozen blocks below computed once per prompt and cached (rec-lm README, "Top-k route"). Default: every block.'),
  prefixBackend: z
    .enum(['tfjs', 'onnx'])
    .optional()
    .describe('With topBlocks: what computes the cached frozen blocks, "tfjs" (inside the forward pass, one wasm thread) or "onnx" (an onnxruntime CPU session built from the same weights, multi-threaded, many times faster; rec-lm README, "The cache pass on onnxruntime"). Default: tfjs.'),
});

const recModel = z
  .union(
    [
      z.literal('scratch').describe('A small Llama-architecture model built and trained from scratch on the run\'s prompts (CPU-sized).'),
      z.string().regex(LLM_BACKEND_PATTERN, { error: `must be "scratch", { base, lora } or a backend spec ${LLM_BACKEND_FORMS}` }).describe(`A backend that only scores (no training): ${LLM_BACKEND_FORMS}.`),
      checkpointModel,
    ],
    { error: (issue) => (issue.code === 'invalid_union' ? `must be "scratch", { base, lora } or a backend spec ${LLM_BACKEND_FORMS}` : undefined) },
  )
  .default('scratch')
  .describe('The recommender LM: "scratch", { base: CHECKPOINT, lora: {...} } to LoRA-tune a checkpoint, or a backend spec to score only.');

/** Stages that `run.seedStages` may add to the repeated ones (rec and eval always repeat). */
export const OPTIONAL_SEED_STAGES = Object.freeze(['crm', 'car', 'assess', 'sare'] as const);

const runSection = section({
  dir: nonEmptyString().default('runs/score').describe('Run folder: manifest.json and one folder per stage. Relative paths are resolved against the working directory.'),
  seed: nonNegativeInt().default(42).describe('Seed of every stage (initialisation, shuffling, sampling).'),
  // --- seeds (issue 15) ---
  seeds: z
    .array(nonNegativeInt())
    .min(1)
    .optional()
    .describe('Seeds to repeat the seed-dependent stages with (rec and eval, plus `seedStages`); the first must be `run.seed`, whose outputs stay in the usual stage folders, and each other seed S writes `seeds/S/<stage>/`. The report gives each model\'s mean and standard deviation over the seeds beside its bootstrap intervals. `--seeds N` on run/demo sets seed..seed+N-1. Default: `run.seed` only.'),
  seedStages: z
    .array(z.enum(OPTIONAL_SEED_STAGES))
    .default([])
    .describe('Earlier stages repeated per seed as well (crm, car, assess, sare); every stage after a repeated one repeats too. Default: none (only rec and eval; the CRM, CAR and SARE of `run.seed` serve every seed).'),
}).superRefine((run, context) => {
  if (run.seeds === undefined) return;
  if (run.seeds[0] !== run.seed) {
    context.addIssue({ code: 'custom', path: ['seeds'], message: `must start with run.seed (${run.seed}), the seed of the usual stage folders, e.g. [${run.seed}, ${run.seed + 1}, ${run.seed + 2}]; got [${run.seeds.join(', ')}]` });
  }
  const repeated = run.seeds.find((seed, i) => run.seeds!.indexOf(seed) !== i);
  if (repeated !== undefined) context.addIssue({ code: 'custom', path: ['seeds'], message: `lists the seed ${repeated} twice; each seed may appear once` });
});

const dataSection = section({
  source: dataSource,
  protocol,
  name: nonEmptyString().optional().describe('Dataset name in reports. Default: the source\'s (ml-1m, ml-100k, amazon-games, synthetic, or the interactions file name).'),
  // reliability: only a domain with a prompt preset (checked here, not first by the rec stage or the server).
  domain: z.enum(Object.keys(DOMAIN_PRESETS) as ['movies', 'games', 'books']).optional().describe('Nouns of the prompts: movies, games or books. Default: games for Amazon, movies otherwise.'),
  missingItems: z.enum(['error', 'drop']).default('error').describe('Interactions whose item is missing from the items file: fail, or drop them.'),
});

const crmSection = section({
  model: z.enum(['sasrec', 'mf']).default('sasrec').describe('Conventional recommender (stage 0, method.md Eq. 3-4): SASRec or matrix factorisation.'),
  objective: z.enum(['ctr', 'next-item']).default('ctr').describe('Training objective: binary cross-entropy on the labelled rows (ctr), or next positive item with sampled negatives.'),
  hiddenSize: positiveInt().default(64).describe('Width of item and hidden vectors (= e_u\'s size); MF uses it as the factor size.'),
  blocks: positiveInt().default(2).describe('SASRec self-attention blocks.'),
  heads: positiveInt().default(1).describe('SASRec attention heads (must divide hiddenSize).'),
  maxHistory: positiveInt().default(25).describe('Most recent history items the model reads.'),
  dropout: z.number().min(0).lt(1).default(0.2).describe('Dropout rate.'),
  learningRate: z.number().positive().default(1e-2).describe('Adam learning rate.'),
  weightDecay: z.number().nonnegative().default(1e-4).describe('L2 weight decay.'),
  batchSize: positiveInt().default(1024).describe('Training rows per batch.'),
  epochs: positiveInt().default(50).describe('Most training epochs.'),
  patience: positiveInt().default(5).describe('Epochs without a better validation AUC before stopping.'),
  neighbours: positiveInt().default(5).describe('K_c: collaborative neighbours per user, the positives of CAR\'s loss (paper: 5; Eq. 4).'),
  baseline: z.boolean().default(true).describe('Also train the other model (MF when the CRM is SASRec, SASRec when it is MF) as a baseline for the report.'),
});

const carSection = section({
  encoder: encoderSpec().default('pooled').describe(`Retriever encoder, ${ENCODER_FORMS}: a BERT or a mean-pooled encoder trained from scratch, a frozen ONNX sentence encoder, or a BERT/MPNet checkpoint to fine-tune (paper: mpnet-base).`),
  tau: z.number().positive().default(0.1).describe('Temperature of CAR\'s contrastive loss (paper: 0.1; Eq. 6).'),
  batchSize: positiveInt().default(16).describe('Target users per batch; the other users of the batch are the negatives (paper: 16).'),
  epochs: positiveInt().default(3).describe('Most fine-tuning epochs.'),
  patience: positiveInt().default(2).describe('Epochs without a better validation recall before stopping.'),
  retrieved: positiveInt().max(1000).default(10).describe('K_e: similar users CAR retrieves per target (paper: 10; at most 1000, score-serve\'s limit).'),
  indexThreshold: positiveInt().default(100_000).describe('Behaviour snapshot tables (one per car.snapshots cut) with at least this many entries get an approximate (ANN) index; smaller ones are searched exactly.'),
  // Behaviour snapshots and the cf retriever (issue 15, point 4).
  snapshots: z
    .union([z.literal('monthly'), positiveInt()])
    .default('monthly')
    .describe('Behaviour snapshots of the retrieval corpus, one LanceDB table each: "monthly" (every 30 days from the first positive interaction, and the start of the valid split) or N (N evenly spaced cut times ending at the start of the valid split). A row at time t searches the latest snapshot strictly before t and sees each user\'s liked items before that snapshot\'s time; rows before the first snapshot get P^b. Valid and test rows see the last one (all training behaviour).'),
  cfRetrieval: z
    .enum(['embedding', 'neighbours'])
    .default('embedding')
    .describe('How SCoRe-cf picks its users: "embedding" retrieves K_e users by cosine between the CRM\'s user embeddings e_u among the users with behaviour in the row\'s snapshot (as CAR does with text embeddings); "neighbours" keeps only the target\'s K_c CRM neighbours that have behaviour in the snapshot (the paper\'s N_c; many rows then find nobody).'),
  // Gradient caching of CAR's training step (as sare.gradientChunkTexts).
  gradientChunkTexts: nonNegativeInt()
    .optional()
    .describe('Most texts per forward-and-backward pass while fine-tuning CAR; a batch with more texts (targets and their positives) takes its exact gradients by gradient caching, a few texts at a time (one extra forward pass), so a pretrained BERT step fits the wasm backend\'s 4 GB. 0: the whole batch in one pass. Default: 8 for a BERT encoder (bert:PATH, scratch), 0 for pooled.'),
  lengthSortedChunks: z
    .boolean()
    .default(false)
    .describe('With gradient caching (gradientChunkTexts above 0 and a batch of more texts), chunk each batch\'s texts by token length instead of batch order: each chunk pads to about its own texts\' length, so a BERT step does less attention work (about 1.5x the rows/s of a scratch BERT on ML-1M-sized texts). The loss and gradients are the same up to float rounding, so training takes slightly different steps and the numbers change in the last digits; false keeps the batch order. Default false.'),
  maxItems: positiveInt()
    .optional()
    .describe('Most recent items a behaviour text d(H(u)) of the retrieval corpus lists per user and snapshot (oldest first), which CAR embeds, indexes and fine-tunes on. Default: 20 (the corpus default). With car.maxTokens, fewer items make the texts fit instead of being cut (a cut drops the newest items).'),
  // CPU-time knobs of a BERT encoder's fine-tuning.
  maxTokens: positiveInt()
    .min(8)
    .optional()
    .describe('Longest input in tokens of the CAR encoder (scratch, pooled or bert:PATH; at most a pretrained model\'s positions), for the untuned "base" variant and the fine-tuned "car" alike; the saved encoders record it, so the later stages embed with it too. Texts are cut at the end: a behaviour text lists the user\'s car.maxItems most recent items oldest first, so a text longer than maxTokens keeps its oldest items and loses its newest (lower car.maxItems so the texts fit). The paper fine-tunes at the model\'s full length; a shorter one trades fidelity for CPU time (on all-MiniLM-L6-v2, a step at 128 tokens takes about half the time of one at 256). Not for an onnx: encoder. Default: the encoder\'s own (256 for pooled, 128 for scratch, the model\'s setting for bert:PATH, e.g. 256 for all-MiniLM-L6-v2).'),
  learningRate: z
    .number()
    .positive()
    .optional()
    .describe('Adam learning rate of CAR\'s fine-tuning. Default: 2e-5 for bert:PATH (a pretrained encoder, as for full fine-tuning over many steps), 1e-3 for scratch, 1e-2 for pooled. A short run on a few top layers moves little at 2e-5.'),
  trainLayers: positiveInt()
    .optional()
    .describe('Fine-tune only the top N transformer layers of a BERT CAR encoder (scratch, bert:PATH) and what follows them; the embeddings and the lower layers stay frozen (the saved encoder still holds every weight). The paper fine-tunes every layer; fewer trade fidelity for CPU time (on all-MiniLM-L6-v2, 6 layers, a step of the top 2 takes about 0.6x the time of all). At most the encoder\'s layers; not for pooled or onnx: encoders. Default: every weight.'),
  // The index on object storage (issue 21).
  indexUri: z
    .string()
    .min(1)
    .optional()
    .describe('Also copy the fine-tuned CAR index (variant "car": every snapshot table) to this LanceDB location when the stage ends, for service replicas to share with `score-serve --index-uri` (e.g. s3://bucket/runs/score/car-index; gs://, az:// or a folder), replacing tables already there. Credentials and endpoint come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT, AWS_ALLOW_HTTP, ...). The later stages still read the run folder\'s copy. Default: none (the index stays in the run folder only).'),
});

const assessSection = section({
  llm: z
    .string()
    .refine((value) => value === 'metadata' || LLM_BACKEND_PATTERN.test(value), { error: `must be "metadata" or ${LLM_BACKEND_FORMS}` })
    .default('metadata')
    .describe(`Self-assessment generator (Eq. 7): "metadata" writes the assessment from item metadata without an LLM; or ${LLM_BACKEND_FORMS} (paper: GLM-4-Plus).`),
  sample: positiveInt().default(10_000).describe('Training rows (pairs) sampled for self-assessment (paper: 10,000): one per user first, then more per user in rounds while users have rows left.'),
  concurrency: positiveInt().default(4).describe('LLM calls in flight at once.'),
  embedder: z
    .string()
    .refine((value) => value === 'car' || ENCODER_SPEC_PATTERN.test(value), { error: `must be "car" or ${ENCODER_FORMS}` })
    .default('car')
    .describe(`Fixed text embedder TxtEmb that ranks the retrieved users against the assessment (Eq. 8-9): "car" reuses the run's fine-tuned CAR encoder (the best embedder without pretrained weights), or ${ENCODER_FORMS} (an untrained pooled/scratch encoder is a weak embedder).`),
  // A local llama.cpp assessor (issue 16, point 4).
  llmThreads: nonNegativeInt()
    .optional()
    .describe('CPU threads of a "llamacpp:" assess.llm (0 = every core). Default: llama.cpp\'s (every core). On a busy 2-core machine 1 is far faster, as two threads spin-wait for each other (libs/self-assess README, "Throughput").'),
  maxUnusable: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Largest share of the sampled pairs (0 to 1) that may be dropped because the LLM answered them, on every try, with no usable assessment (an empty text, the prompt retold, not prose); dropped pairs get no ranking and are listed in the stage report (assess/report.json "unusable"), and one more fails the stage naming the pair. Default: 0.05. The paper\'s GLM-4-Plus always answers; a 135M model sometimes retells the prompt.'),
  maxTokens: positiveInt()
    .optional()
    .describe('Most tokens the LLM writes per self-assessment (an answer cut there is kept as it stands: TxtEmb embeds it). Generation is most of an assessment\'s time on a CPU (SmolLM2-135M writes about 200 tokens when allowed 256). Default: 256 (createLlmAssessor\'s default; the paper does not limit it).'),
});

const sareSection = section({
  encoder: encoderSpec().default('pooled').describe(`Reranker encoder, ${ENCODER_FORMS} (paper: bge-reranker-large).`),
  tau: z.number().positive().default(0.02).describe('Temperature of SARE\'s InfoNCE loss (paper: 0.02; Eq. 12).'),
  negativeThreshold: nonNegativeInt().default(5).describe('Negatives are drawn from ranks after this one ("top-k shifted by N", paper: 5).'),
  negatives: positiveInt().default(3).describe('Negatives per example (paper: 3).'),
  batchSize: positiveInt().default(16).describe('Examples per batch.'),
  epochs: positiveInt().default(3).describe('Most fine-tuning epochs.'),
  patience: positiveInt().default(2).describe('Epochs without a better validation score before stopping.'),
  kept: positiveInt().max(10).default(2).describe('K_s: reranked users kept for the prompt (paper: 2 on ML-1M, 1 on Games; at most 10, score-serve\'s limit, and at most car.retrieved).'),
  // Gradient caching of the training step (helper car-pretrained).
  gradientChunkTexts: nonNegativeInt()
    .optional()
    .describe('Most texts per forward-and-backward pass while fine-tuning; a batch with more texts (queries, positives, negatives) takes its exact gradients by gradient caching, a few texts at a time (one extra forward pass), so a pretrained BERT step fits the wasm backend\'s 4 GB. 0: the whole batch in one pass. Default: 8 for a BERT encoder (bert:PATH, scratch), 0 for pooled.'),
  lengthSortedChunks: z
    .boolean()
    .default(false)
    .describe('With gradient caching (gradientChunkTexts above 0 and a batch of more texts), chunk each batch\'s texts by token length instead of batch order: each chunk pads to about its own texts\' length, so a BERT step does less attention work (about 1.5x the rows/s of a scratch BERT on ML-1M-sized texts). The loss and gradients are the same up to float rounding, so training takes slightly different steps and the numbers change in the last digits; false keeps the batch order. Default false.'),
  // CPU-time knobs of a BERT encoder's fine-tuning (helper enclen).
  maxTokens: positiveInt()
    .min(8)
    .optional()
    .describe('Longest input in tokens of the SARE encoder (scratch, pooled or bert:PATH; at most a pretrained model\'s positions), for its untrained and trained scoring alike; the saved reranker records it, so the later stages embed with it too. Texts (the basic prompt P^b and the candidates\' behaviour texts, items oldest first) are cut at the end: their beginning is kept. The paper fine-tunes at the model\'s full length; a shorter one trades fidelity for CPU time. Default: the encoder\'s own (256 for pooled and scratch, the model\'s setting for bert:PATH, e.g. 256 for all-MiniLM-L6-v2).'),
  learningRate: z
    .number()
    .positive()
    .optional()
    .describe('Adam learning rate of SARE\'s fine-tuning. Default: 1e-3 (trainSare\'s default, which suits an encoder trained from scratch; about 2e-5 suits full fine-tuning of pretrained BERT-family weights).'),
  trainLayers: positiveInt()
    .optional()
    .describe('Fine-tune only the top N transformer layers of a BERT SARE encoder (scratch, bert:PATH) and what follows them; the embeddings and the lower layers stay frozen (the saved reranker still holds every weight). The paper fine-tunes every layer; fewer trade fidelity for CPU time. At most the encoder\'s layers; not for a pooled encoder. Default: every weight.'),
});

const recSection = section({
  model: recModel,
  epochs: positiveInt().default(2).describe('Most training epochs of the recommender LM.'),
  batchSize: positiveInt().default(8).describe('Prompts per batch.'),
  learningRate: z.number().positive().optional().describe('Adam learning rate. Default: 5e-4 for the from-scratch LM (every weight of the pretrained base tunes; 1e-3 sometimes left the LM at the base rate or collapsed its valid AUC in the second epoch), 1e-4 for LoRA tuning of a checkpoint (TALLRec/SCoRe).'),
  patience: positiveInt().default(1).describe('Epochs without a better validation AUC before stopping.'),
  kept: positiveInt().max(10).optional().describe('K_s: similar-behaviour lists in the CI-augmented prompt P^s (at most 10 and at most car.retrieved). Default: sare.kept.'),
  trainRows: positiveInt().default(4000).describe('Train rows sampled (seeded) to tune each prompt variant\'s LM; the from-scratch LM on one CPU thread cannot read every row of a large split in minutes.'),
  validRows: positiveInt().default(1000).describe('Valid rows sampled for early stopping.'),
  maxPromptTokens: positiveInt().default(256).describe('Token budget of a prompt: the oldest history and similar-user items are dropped until it fits (rec prompt trimming rule).'),
  maxHistoryItems: positiveInt().default(20).describe('Most recent history items written into a prompt.'),
  maxBehaviourItems: positiveInt().max(10_000).default(10).describe('Most recent items of each similar user\'s behaviour written into P^s (at most 10,000).'),
  vocabSize: positiveInt().default(2000).describe('Learned vocabulary of the tokenizer trained for the from-scratch LM (Yes and No are single tokens; title tokens come on top).'),
  pretrainEpochs: nonNegativeInt().default(4).describe('From-scratch LM only: epochs of next-token pretraining on the train split\'s behaviour texts (each user\'s liked titles in order) before any variant is tuned; every variant starts from this one base, as the paper\'s variants start from one pretrained LLM. 0: tune from random weights.'),
  pretrainBehaviourTexts: z.boolean().default(true).describe('From-scratch LM only: the pretraining corpus holds the train split\'s behaviour texts (each user\'s liked titles in order), so the base LM itself learns which titles go together. false: item texts only, like an LLM that knows titles but not this dataset\'s users; the collaborative signal then reaches the LM only through tuning and the CI in its prompts, but the answer warm-up of such a base often stays at the base rate (docs/method.md). Needs `pretrainItemTexts` when false.'),
  pretrainItemTexts: z.boolean().default(true).describe('From-scratch LM only: the pretraining corpus also holds one text per catalogue item naming its genres around its title (`Western: "Lone Gunslinger (2016)" is Western.`), as a pretrained LLM knows what a title is about; reads the item catalogue only. false: behaviour texts only.'),
  warmupEpochs: nonNegativeInt().default(1).describe('From-scratch LM only: epochs the shared base LM (after pretraining) is tuned to answer Yes/No on P^b prompts of `warmupRows` train rows outside the variants\' sample, before any variant is tuned. Every variant, P^b included, starts from it, as the paper\'s variants start from an instruction-tuned LLM that already answers Yes/No; without it a variant\'s tuning sometimes sat at the base rate for several epochs. 0: variants start from the pretrained LM.'),
  warmupRows: positiveInt().default(3000).describe('Train rows of the answer warm-up: a seeded sample disjoint from the variants\' `trainRows` while the split has other rows.'),
  templateTokens: z.boolean().default(true).describe('From-scratch LM only: each constant piece of the P^b/P^s templates (e.g. `". Respond with either \'Yes\' or \'No\'.`) is one token, so the answer position sits right after the target title; the prompt text is unchanged. false: the pieces are spelled in learned sub-words.'),
  titleTokens: z.boolean().default(true).describe('From-scratch LM only: every item title of the catalogue is one token of its tokenizer (a Hugging Face added token), as a pretrained LLM knows a title as one unit; prompts get about 1.5 times shorter. false: titles are spelled in learned sub-words.'),
  variants: z.array(z.enum(['basic', 'cf', 'base', 'car', 'score'])).min(1).default(['basic', 'cf', 'base', 'car', 'score']).describe('Prompt variants whose LM is tuned and scored: basic (P^b, TALLRec-like), cf (CRM user embeddings or neighbours, car.cfRetrieval), base (untuned retriever), car (CAR without SARE), score (full SCoRe).'),
  workers: positiveInt()
    .optional()
    .describe('Worker threads that tune the variants\' LMs (and, with eval.retrainSweeps, the sweep points\' LMs) at once: the stage\'s thread builds each LM\'s prompts in order, then a worker thread loads the shared base (the from-scratch LM after pretraining and warm-up, which run once before, from the run folder; or rec.model\'s checkpoint with fresh adapters) and tunes it with the same seed and settings, so every LM\'s weights and figures are bitwise those of one thread. The wasm backend runs one thread per worker, so 2 uses both cores of a 2-core machine (each thread holds its own copy of the LM). Changing it does not rerun the rec stage. Default 1: every LM tuned on the stage\'s thread, one after another.'),
});

// Zero-shot rows (issue 17, point 2): the pretrained LLM scoring P^b and P^s without tuning.
// "rec": rec.model's base, opened in-process without adapters the way the eval stage opens a tuned variant.
const ZERO_SHOT_LLM_PATTERN = new RegExp(`^rec$|${LLM_BACKEND_PATTERN.source}`);
const zeroShotSection = section({
  llm: z
    .string()
    .regex(ZERO_SHOT_LLM_PATTERN, { error: `must be "rec" or a backend spec ${LLM_BACKEND_FORMS}` })
    .describe(
      `The pretrained LLM that scores the prompts without any tuning: "rec" or a backend spec ${LLM_BACKEND_FORMS}; e.g. llamacpp:model:smollm2-135m-instruct (paper: the untuned Llama-3.1-8B-Instruct). "rec": the base of rec.model { base, lora } without any adapter, scored in-process exactly as the eval stage scores a tuned variant (same topBlocks and prefixBackend, the token limit of rec.maxPromptTokens, eval.scoreWorkers threads), so the zero-shot rows cost what scoring a tuned variant costs (llama.cpp computes every block of every prompt); the rows are labelled with the base's name. Needs rec.model { base, lora }: refused for "scratch" (an untuned from-scratch LM is random weights) and for a backend spec (name that spec here instead).`,
    ),
  variants: z.array(z.enum(['basic', 'cf', 'base', 'car', 'score'])).min(1).default(['basic', 'score']).describe('Prompt variants the untuned LLM scores, each at the main K_e/K_s: basic (P^b), cf, base, car, score (P^s of full SCoRe). Each gives a row "zero-shot-<variant>" with the same paired intervals and differences as the tuned rows.'),
  answers: section({
    yes: z.string().min(1).describe('The "yes" answer word (one token of the base\'s tokenizer), e.g. " Yes".'),
    no: z.string().min(1).describe('The "no" answer word (one token), e.g. " No".'),
  })
    .optional()
    .describe(
      'With llm "rec" only: the answer words whose single tokens give the zero-shot rows\' P(yes) (Eq. 14), e.g. { yes: " Yes", no: " No" }. An untuned instruct model after the raw prompt writes " Yes"/" No" (with the space), and gives the default tokens "Yes"/"No" (the ones rec tuning trains) about 1e-7 (`npm run bench:answer-tokens -w @score/rec-lm`). The "llamacpp:" route sums every single-token spelling instead. Default: "Yes" and "No", the tuned variants\' tokens.',
    ),
  threads: nonNegativeInt().optional().describe('CPU threads of a "llamacpp:" zeroShot.llm (0 = every core); other specs ignore it (with "rec", eval.scoreWorkers sets the threads). Default: llama.cpp\'s (every core).'),
});

const evalSection = section({
  split: z.enum(['valid', 'test']).default('test').describe('Split the final metrics are computed on.'),
  retrievedSweep: z.array(positiveInt()).min(1).default([5, 10, 15, 20]).describe('K_e values of the sensitivity sweep (paper Fig. 4: 5..20).'),
  keptSweep: z.array(positiveInt().max(10)).min(1).default([1, 2, 3, 4]).describe('K_s values of the sensitivity sweep (paper Fig. 4: 1..4; each at most 10 and at most car.retrieved).'),
  maxRows: positiveInt().optional().describe('Rows of the evaluated split scored by every model: a seeded sample (the same rows for every model and seed), and the report says "n of N rows". Default: every row of the split (the paper scores the whole test split).'),
  // --- intervals and sweeps (issue 15) ---
  bootstrapSamples: positiveInt().default(1000).describe('Resamples of the paired bootstrap over users behind every interval: each draws as many users as the scored rows hold, with replacement, the same users for every model (seeded by run.seed).'),
  confidence: z.number().gt(0).lt(1).default(0.95).describe('Coverage of the percentile intervals of AUC, UAUC and the differences between models; a difference counts as real only when its interval excludes zero.'),
  retrainSweeps: z.boolean().default(false).describe('Tune a full-SCoRe LM at every K_e/K_s sweep point (as the paper does; the rec stage trains them), instead of scoring the LM tuned at (car.retrieved, K_s) with other K_e/K_s. The paper configs set true; false is cheaper, and the report then says "scored without retraining".'),
  // The GPU route (issue 17, point 4): adapters tuned elsewhere.
  adapters: nonEmptyString().optional().describe('A folder in the layout of `score-train export` (<dir>/<variant>/adapter, PEFT adapter_config.json + adapter_model.safetensors; sweep points as <dir>/score-k<K_e>-s<K_s>/adapter) whose LoRA adapters the eval stage scores instead of the rec stage\'s, e.g. adapters tuned on a GPU by tools/peft/train_lora.py. Needs rec.model { base, lora } with the same base. Default: the rec stage\'s adapters.'),
  // Scoring on several cores (issue 15 point 8).
  scoreWorkers: positiveInt()
    .default(1)
    .describe('Threads that score the tuned in-process LM\'s prompts in the eval stage: the stage\'s own thread and scoreWorkers - 1 worker threads, each loading the LM from the run folder (or rec.model\'s base with the variant\'s adapter) and taking the next of the same length-sorted batches; the scores are put back in order and are bitwise those of one thread. The wasm backend runs one thread per worker, so 2 uses both cores of a 2-core machine (each thread holds its own copy of the LM). 1: the stage\'s thread only. Also the threads of eval.zeroShot with llm "rec" (the untuned base, scored the same way); scoring-only backends (rec.model a spec) and the other eval.zeroShot specs are unaffected. With encoders.inference "tfjs", the same threads run the forward passes of CAR\'s query encoder (car and base retrieval) and of SARE\'s reranking encoder when their encoder is a trainable one (scratch, pooled, bert:), each thread with its own copy loaded from the run folder; the embeddings are bitwise those of one thread (with "onnx" they are not threaded: a BERT encoder runs on onnxruntime\'s own threads, a pooled one on the stage\'s thread). Default 1.'),
  zeroShot: zeroShotSection.optional().describe('Also score the prompts with a pretrained LLM without tuning (the paper\'s starting point), beside the tuned variants: rows "zero-shot-basic", "zero-shot-score", ... with intervals and paired differences (to the tuned P^b and SCoRe, and the zero-shot P^s rows to the zero-shot P^b). Default: off.'),
});

// BERT inference on onnxruntime (issue 15 point 8, issue 17 point 1).
const encodersSection = section({
  inference: z
    .enum(['tfjs', 'onnx'])
    .default('tfjs')
    .describe('Where the BERT encoders of CAR, SARE and TxtEmb (bert:PATH, scratch, and assess.embedder "car" or bert:PATH) embed texts outside training: "tfjs", their TensorFlow.js forward pass (wasm, one thread); "onnx", their current weights exported to ONNX and run by onnxruntime on every core (libs/text-encoders README, "Inference on onnxruntime"): the car stage\'s held-out recall, per-epoch validation and both indexes (exported in memory), SARE\'s validation scoring, and the queries of assess, rec and eval (exported once to <encoder folder>/onnx/model.onnx, reused while the weights are unchanged). The embeddings agree to about 1e-6; training stays on tfjs, and pooled and onnx: encoders are unaffected. Default "tfjs" (the from-scratch demo\'s numbers stay bitwise the same); the pretrained and real-data configs set "onnx".'),
});

/**
 * The schema of a `score-train run` config file. Every object is strict (unknown keys are
 * errors), every key has a description and a default where one makes sense; parse the merged
 * file and flag layers with it once, at the edge ({@link loadConfig}).
 */
export const scoreConfigSchema = section({
  run: runSection.prefault({}).describe('The run folder and seed.'),
  data: dataSection.prefault({}).describe('Source files and the labelling/split protocol (the prepare stage).'),
  crm: crmSection.prefault({}).describe('Stage 0: the conventional recommender and its collaborative neighbours.'),
  car: carSection.prefault({}).describe('Stage 1: CAR, the collaborative retriever.'),
  assess: assessSection.prefault({}).describe('Stage 2a: self-assessment and ranking generation.'),
  sare: sareSection.prefault({}).describe('Stage 2b: SARE, the self-assessing reranker.'),
  rec: recSection.prefault({}).describe('Stage 3: the CI-augmented recommender LM.'),
  eval: evalSection.prefault({}).describe('Evaluation: AUC/UAUC and the K_e / K_s sweeps.'),
  encoders: encodersSection.prefault({}).describe('Where the trainable text encoders run inference (tfjs or onnxruntime).'),
});

/** A config as written in a file (every key optional). */
export type ScoreConfigInput = z.input<typeof scoreConfigSchema>;

/** A resolved config: defaults filled in, validated. */
export type ScoreConfig = z.output<typeof scoreConfigSchema>;

/** The data source section of a resolved config. */
export type DataSourceConfig = ScoreConfig['data']['source'];

/** The protocol section of a resolved config. */
export type ProtocolConfig = ScoreConfig['data']['protocol'];
