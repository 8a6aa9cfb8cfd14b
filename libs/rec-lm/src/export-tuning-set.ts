import { InvalidOptionError, writeFileAtomicSync } from '@score/core';
import type { RecLmExample } from './train-rec-lm';

/** Options of {@link exportTuningSet}. */
export interface ExportTuningSetOptions {
  /**
   * "prompt-completion": `{"prompt": [user message], "completion": [assistant message], "label"}`
   * (TRL's conversational prompt-completion form: the loss covers the answer only);
   * "messages": `{"messages": [user, assistant], "label"}` (OpenAI / Axolotl / LLaMA-Factory chat form).
   * @defaultValue "prompt-completion"
   */
  readonly format?: 'prompt-completion' | 'messages';
  /** A system message put before each prompt. @defaultValue none */
  readonly system?: string;
  /** The answer texts of labels 1 and 0. @defaultValue { yes: "Yes", no: "No" } */
  readonly answers?: { readonly yes?: string; readonly no?: string };
}

/** One line of the exported tuning set. */
export type TuningSetLine =
  | { readonly prompt: { role: string; content: string }[]; readonly completion: { role: 'assistant'; content: string }[]; readonly label: 0 | 1 }
  | { readonly messages: { role: string; content: string }[]; readonly label: 0 | 1 };

/** The JSON object of one example in the chosen chat form. */
export function tuningSetLine(example: RecLmExample, options: ExportTuningSetOptions = {}): TuningSetLine {
  const format = options.format ?? 'prompt-completion';
  if (format !== 'prompt-completion' && format !== 'messages') {
    throw new InvalidOptionError('format', `must be "prompt-completion" or "messages", got ${JSON.stringify(format)}.`, format);
  }
  if (typeof example.prompt !== 'string' || (example.label !== 0 && example.label !== 1)) {
    throw new InvalidOptionError('examples', `each example must be { prompt: string, label: 0 | 1 }, got ${JSON.stringify(example)}.`);
  }
  const prompt = [...(options.system ? [{ role: 'system', content: options.system }] : []), { role: 'user', content: example.prompt }];
  const answer = { role: 'assistant' as const, content: example.label === 1 ? (options.answers?.yes ?? 'Yes') : (options.answers?.no ?? 'No') };
  return format === 'messages' ? { messages: [...prompt, answer], label: example.label } : { prompt, completion: [answer], label: example.label };
}

/**
 * Writes the tuning set as JSON lines in a chat form that common LoRA trainers accept (TRL,
 * Axolotl, LLaMA-Factory, OpenAI fine-tuning), so a large model (Llama-3.1-8B-Instruct) can be
 * tuned elsewhere and served (vLLM serves LoRA adapters by name) for the OpenAI-compatible
 * backend. Returns the number of lines written. The file is written to a temp name, then renamed.
 */
export function exportTuningSet(filePath: string, examples: readonly RecLmExample[], options: ExportTuningSetOptions = {}): number {
  const lines = examples.map((example) => JSON.stringify(tuningSetLine(example, options)));
  writeFileAtomicSync(filePath, lines.length > 0 ? `${lines.join('\n')}\n` : '');
  return lines.length;
}
