import path from 'node:path';
import { type ConfigProblem, ConfigValidationError, issuesToProblems } from './config-error';
import { hashConfig } from './config-hash';
import { type ScoreConfig, type ScoreConfigInput, scoreConfigSchema } from './config-schema';
import { type ConfigOverride, mergeLayers, overridesToObject, parseOverride } from './parse-overrides';
import { readConfigFile } from './read-config-file';
import { unknownModelProblems } from './resolve-config-models';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** A YAML or JSON config file (the middle layer). @defaultValue none: built-in defaults only */
  readonly file?: string;
  /** A config object applied over the file (for programs and tests). @defaultValue none */
  readonly values?: ScoreConfigInput | Record<string, unknown>;
  /** `key.path=value` overrides (the `--set` flags), applied last; later ones win. @defaultValue [] */
  readonly overrides?: readonly string[];
}

/** What {@link loadConfig} returns. */
export interface LoadedConfig {
  /** The resolved config: built-in defaults < file < values < overrides, validated. */
  readonly config: ScoreConfig;
  /** sha256 of the resolved config's canonical JSON (stable across key order). */
  readonly hash: string;
  /** The absolute path of the file, when one was read. */
  readonly file?: string;
}

function hasPath(value: unknown, segments: readonly string[]): boolean {
  let node = value;
  for (const segment of segments) {
    if (node === null || typeof node !== 'object' || !(segment in node)) return false;
    node = (node as Record<string, unknown>)[segment];
  }
  return true;
}

function originOf(problem: ConfigProblem, layers: { file?: string; fileValues: unknown; values: unknown; overrides: readonly ConfigOverride[] }): string {
  const segments = problem.path.split(', ')[0]!.split('.');
  for (let length = segments.length; length > 0; length--) {
    const key = segments.slice(0, length).join('.');
    const override = [...layers.overrides].reverse().find((entry) => entry.path.join('.') === key || entry.path.join('.').startsWith(`${key}.`));
    if (override) return ` (from --set ${override.text})`;
    if (hasPath(layers.values, segments.slice(0, length))) return ' (in the config values)';
    if (layers.file && hasPath(layers.fileValues, segments.slice(0, length))) return ` (in ${layers.file})`;
  }
  return '';
}

/**
 * Resolves the config of a run: the built-in defaults of {@link scoreConfigSchema}, then the file
 * (YAML or JSON), then `values`, then the `--set` overrides, validated once. Every problem is
 * reported at once in a {@link ConfigValidationError} naming each key path and the layer it came
 * from; unknown keys list the valid ones. Derived defaults are filled in (`rec.kept` = `sare.kept`).
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const file = options.file === undefined ? undefined : path.resolve(options.file);
  const fileValues = file === undefined ? {} : readConfigFile(file);
  const overrides = (options.overrides ?? []).map(parseOverride);
  const merged = mergeLayers(mergeLayers(fileValues, options.values ?? {}), overridesToObject(overrides));
  const result = scoreConfigSchema.safeParse(merged, { reportInput: true });
  if (!result.success) {
    const layers = { file: options.file, fileValues, values: options.values, overrides };
    const problems = issuesToProblems(result.error.issues).map((problem) => ({ ...problem, message: `${problem.message}${originOf(problem, layers)}` }));
    throw new ConfigValidationError(problems);
  }
  const parsed = result.data;
  const config: ScoreConfig = { ...parsed, rec: { ...parsed.rec, kept: parsed.rec.kept ?? parsed.sare.kept } };
  const zeroShot = config.eval.zeroShot?.llm === 'rec' ? zeroShotRecProblem(config.rec.model) : undefined;
  const answers =
    config.eval.zeroShot?.answers !== undefined && config.eval.zeroShot.llm !== 'rec'
      ? [{ path: 'eval.zeroShot.answers', message: `applies to llm "rec" only (the in-process route, which scores the single tokens of its answer words); "${config.eval.zeroShot.llm}" reads every spelling of "Yes" and "No" itself: remove eval.zeroShot.answers or set eval.zeroShot.llm to "rec"` }]
      : [];
  const problems = [...crossKeyProblems(config), ...encoderKnobProblems(config), ...(zeroShot === undefined ? [] : [{ path: 'eval.zeroShot.llm', message: zeroShot }]), ...answers, ...unknownModelProblems(config)];
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return { config, hash: hashConfig(config), ...(file === undefined ? {} : { file }) };
}

/**
 * Why `eval.zeroShot.llm: rec` cannot apply to this `rec.model`, or undefined when it can: "rec"
 * means rec.model's base without adapters, so rec.model must be { base, lora }. The config loader
 * reports it, and the eval stage throws it for a config built without the loader.
 */
export function zeroShotRecProblem(model: ScoreConfig['rec']['model']): string | undefined {
  if (model === 'scratch') {
    return 'is "rec", but rec.model is "scratch": the from-scratch LM has no pretrained base (the rec stage builds it from random weights), so its "zero-shot" rows would mean nothing; use a pretrained LLM spec (e.g. llamacpp:model:smollm2-135m-instruct) or rec.model { base, lora }';
  }
  if (typeof model === 'string') return `is "rec", but rec.model is the backend spec "${model}", which has no base to open without adapters; set eval.zeroShot.llm to a backend spec of the untuned LLM (e.g. that spec's base model)`;
  return undefined;
}

/** car/sare.maxTokens and trainLayers against the encoder they apply to (more layers than the encoder has is refused when it is loaded). */
function encoderKnobProblems(config: ScoreConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const stage of ['car', 'sare'] as const) {
    const { encoder, trainLayers, maxTokens } = config[stage];
    const kind = encoder.startsWith('onnx:') ? 'onnx' : encoder === 'pooled' ? 'pooled' : 'bert';
    if (trainLayers !== undefined && kind !== 'bert') {
      problems.push({ path: `${stage}.trainLayers`, message: `applies to a BERT encoder (scratch, bert:PATH), whose top layers it fine-tunes; ${stage}.encoder is "${encoder}". Leave it unset` });
    }
    if (maxTokens !== undefined && kind === 'onnx') {
      problems.push({ path: `${stage}.maxTokens`, message: `applies to a scratch, pooled or bert:PATH encoder; the frozen ONNX encoder "${encoder}" keeps its own length. Leave it unset` });
    }
  }
  return problems;
}

/** Problems that involve several keys, which the per-key schema cannot see. */
function crossKeyProblems(config: ScoreConfig): ConfigProblem[] {
  const { rec } = config;
  if (rec.model === 'scratch' && rec.pretrainEpochs > 0 && !rec.pretrainBehaviourTexts && !rec.pretrainItemTexts) {
    return [{ path: 'rec.pretrainBehaviourTexts', message: 'is false and so is rec.pretrainItemTexts, which leaves the pretraining corpus empty; set either to true, or rec.pretrainEpochs to 0' }];
  }
  return promptProblems(config);
}

/** reliability: the prompt settings K_s and K_e must fit together (the rec stage and score-serve rely on it). */
function promptProblems(config: ScoreConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const retrieved = config.car.retrieved;
  const tooMany = (kept: number) => `K_s (${kept}) is larger than car.retrieved, K_e (${retrieved}): SARE cannot keep more users than CAR retrieves`;
  if (config.sare.kept > retrieved) problems.push({ path: 'sare.kept', message: tooMany(config.sare.kept) });
  if (config.rec.kept! > retrieved) problems.push({ path: 'rec.kept', message: tooMany(config.rec.kept!) });
  const keptTooMany = config.eval.keptSweep.find((kept) => kept > retrieved);
  if (keptTooMany !== undefined) problems.push({ path: 'eval.keptSweep', message: `K_s ${keptTooMany} is larger than car.retrieved, K_e (${retrieved}), which the K_s sweep retrieves` });
  const retrievedTooFew = config.eval.retrievedSweep.find((value) => value < config.rec.kept!);
  if (retrievedTooFew !== undefined) problems.push({ path: 'eval.retrievedSweep', message: `K_e ${retrievedTooFew} is smaller than rec.kept, K_s (${config.rec.kept}), which the K_e sweep keeps` });
  return problems;
}
