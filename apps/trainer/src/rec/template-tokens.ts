import type { Item } from '@score/core';
import { basicPrompt, ciPrompt, type DomainPreset } from '@score/prompt-kit';

const HISTORY = 'HISTORYSLOT';
const TARGET = 'TARGETSLOT';
const FIRST = 'FIRSTSLOT';
const SECOND = 'SECONDSLOT';

/**
 * The constant pieces of the rec prompts (P^b and P^s) between their slots, spelled exactly as
 * they appear around quoted titles: e.g. `". Respond with either 'Yes' or 'No'.` after the target
 * and `", "` between two titles. The from-scratch tokenizer makes each one token (Hugging Face
 * added tokens), so a prompt ends one token after its target title: the LM's answer position sits
 * next to the item it answers about instead of a dozen template tokens away, and prompts get
 * shorter. The prompt text itself is unchanged.
 */
export function templateTokens(domain: string | DomainPreset): string[] {
  const item = (title: string): Item => ({ id: title, title, attributes: {} });
  const history = [item(HISTORY), item(HISTORY)];
  const prompts = [
    basicPrompt({ domain, history, target: item(TARGET) }),
    ciPrompt({ domain, history, target: item(TARGET), similarBehaviours: [[item(FIRST), item(FIRST)], [item(SECOND)]] }),
  ];
  const pieces = new Set<string>();
  for (const prompt of prompts) {
    for (const piece of prompt.split(new RegExp(`${HISTORY}|${TARGET}|${FIRST}|${SECOND}`))) {
      if (piece.trim().length > 0) pieces.add(piece);
    }
  }
  return [...pieces].sort((a, b) => b.length - a.length || a.localeCompare(b, 'en'));
}
