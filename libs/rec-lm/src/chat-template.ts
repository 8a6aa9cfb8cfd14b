import { InvalidOptionError } from '@score/core';
import { Template } from '@huggingface/jinja';

/** One chat message. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** A model's chat template (`tokenizer.chat_template` of a GGUF file), ready to render. */
export interface ChatTemplate {
  /** The Jinja source. */
  readonly source: string;
  /** The conversation as the model saw it in training; `addGenerationPrompt` opens the assistant's turn. */
  render(messages: readonly ChatMessage[], options?: { readonly addGenerationPrompt?: boolean }): string;
}

/**
 * Compiles a Hugging Face chat template (Jinja, rendered by `@huggingface/jinja` as
 * transformers' `apply_chat_template` does) with the model's BOS and EOS token texts.
 */
export function createChatTemplate(source: string, specialTokens: { readonly bos?: string; readonly eos?: string } = {}): ChatTemplate {
  let template: Template;
  try {
    template = new Template(source);
  } catch (error) {
    throw new InvalidOptionError('chatTemplate', `is not a valid Jinja template: ${error instanceof Error ? error.message : String(error)}`, source);
  }
  return {
    source,
    render(messages, options = {}) {
      return template.render({
        messages: messages.map((message) => ({ role: message.role, content: message.content })),
        add_generation_prompt: options.addGenerationPrompt ?? false,
        bos_token: specialTokens.bos ?? '',
        eos_token: specialTokens.eos ?? '',
      });
    },
  };
}
