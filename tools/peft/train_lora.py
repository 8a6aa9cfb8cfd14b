#!/usr/bin/env python3
"""LoRA-tune a Hugging Face Llama checkpoint on one variant of a `score-train export` (the GPU route).

Reads EXPORT/lora.json (PEFT's LoraConfig fields r, lora_alpha, lora_dropout, target_modules,
layers_to_transform, and the rec stage's training settings) and EXPORT/<variant>/train.jsonl
(chat lines {"messages": [{"role": "user", ...}, {"role": "assistant", "content": "Yes"}]}), tunes
LoRA adapters with PEFT and a plain torch loop, and saves them with `save_pretrained` in PEFT's
layout (adapter_config.json, adapter_model.safetensors with tensors named
base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight, ...), which the trainer's rec and
eval stages load back into the tfjs model (`loadRecLm(base, { adapterDir })`) and vLLM serves
(`--enable-lora --lora-modules score-basic=DIR ...`).

The objective is the CPU rec stage's (`trainRecLm` with LoRA, TALLRec): the cross-entropy over the
vocabulary of the answer token ("Yes" or "No") at the prompt's last position. Prompts are encoded
as the tfjs model encodes them: "raw" is <bos> + the user message's tokens; "chat" applies the
tokenizer's chat template with the assistant turn opened.

    python tools/peft/train_lora.py --export runs/ml-1m-export --variant score \
        --base HuggingFaceTB/SmolLM2-135M-Instruct --out adapters/score

`--probe PROMPTS.json --probe-out LOGITS.json` writes, for each prompt of a JSON list, the token ids
and the adapted model's "Yes"/"No" logits at the last position (used by the trainer's test that the
adapter loads into tfjs with PyTorch's logits).
"""
import argparse
import json
import math
import os
import random
import sys
import time


def fail(message):
    print(f"train_lora.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_json(path, what):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        fail(f"{what} {path} does not exist (write it with `score-train export RUN --out DIR`).")
    except json.JSONDecodeError as error:
        fail(f"{what} {path} is not valid JSON: line {error.lineno}: {error.msg}.")


def read_examples(path):
    """(user message, system message or None, label) of every line of a chat JSONL file."""
    examples = []
    try:
        handle = open(path, encoding="utf-8")
    except FileNotFoundError:
        fail(f"the tuning set {path} does not exist; the export's variants are listed in lora.json.")
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                messages = record["messages"]
                user = next(m["content"] for m in messages if m["role"] == "user")
                system = next((m["content"] for m in messages if m["role"] == "system"), None)
                answer = next(m["content"] for m in messages if m["role"] == "assistant")
            except (json.JSONDecodeError, KeyError, StopIteration, TypeError):
                fail(f"{path}, line {number}: expected {{\"messages\": [user, assistant], \"label\": 0|1}}.")
            label = record.get("label", 1 if answer.strip() == "Yes" else 0)
            examples.append((user, system, int(label)))
    if not examples:
        fail(f"{path} holds no examples.")
    return examples


def load_tokenizer(base):
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    try:
        return AutoTokenizer.from_pretrained(base)
    except Exception:  # a folder with tokenizer.json only
        path = os.path.join(base, "tokenizer.json")
        if not os.path.exists(path):
            raise
        return PreTrainedTokenizerFast(tokenizer_file=path)


def single_token(tokenizer, word):
    ids = tokenizer.encode(word, add_special_tokens=False)
    if len(ids) != 1:
        fail(f"the tokenizer encodes the answer {word!r} as {len(ids)} tokens {ids}; Yes/No tuning needs single tokens.")
    return ids[0]


def encoder(tokenizer, model_config, prompt_format, max_tokens):
    """The prompt -> ids function of the tfjs model: [bos] + tokens (raw), or the chat template."""
    bos = model_config.bos_token_id if model_config.bos_token_id is not None else tokenizer.bos_token_id
    if prompt_format == "raw" and bos is None:
        fail("the model config and the tokenizer name no BOS token; use --prompt-format chat.")

    def encode(user, system=None):
        if prompt_format == "chat":
            messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": user}]
            ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
            if isinstance(ids, dict) or hasattr(ids, "input_ids"):
                ids = ids["input_ids"]
            return list(ids)[-max_tokens:]
        ids = tokenizer.encode(user, add_special_tokens=False)
        return [bos] + ids[-(max_tokens - 1):]

    return encode


def last_logits(model, batch, device, torch):
    """Logits at each sequence's last position (right padding, attention mask)."""
    length = max(len(ids) for ids in batch)
    input_ids = torch.zeros((len(batch), length), dtype=torch.long)
    mask = torch.zeros((len(batch), length), dtype=torch.long)
    for row, ids in enumerate(batch):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        mask[row, : len(ids)] = 1
    output = model(input_ids=input_ids.to(device), attention_mask=mask.to(device))
    last = torch.tensor([len(ids) - 1 for ids in batch], device=device)
    return output.logits[torch.arange(len(batch), device=device), last]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export", required=True, help="folder written by `score-train export` (holds lora.json)")
    parser.add_argument("--variant", required=True, help="exported variant folder, e.g. basic or score (lora.json lists them)")
    parser.add_argument("--base", help="Hugging Face Llama checkpoint folder or Hub id; default: lora.json's huggingFaceBase, else its base")
    parser.add_argument("--out", required=True, help="folder to save the adapter to (PEFT layout)")
    parser.add_argument("--epochs", type=float, help="default: lora.json training.epochs")
    parser.add_argument("--max-steps", type=int, help="stop after this many optimizer steps (default: no limit)")
    parser.add_argument("--learning-rate", type=float, help="default: lora.json training.learning_rate")
    parser.add_argument("--batch-size", type=int, help="default: lora.json training.batch_size")
    parser.add_argument("--max-prompt-tokens", type=int, default=1024, help="prompts are cut from the left to this many tokens (default 1024)")
    parser.add_argument("--prompt-format", choices=["raw", "chat"], default="raw", help="raw: <bos> + prompt, as the CPU rec stage (default); chat: the tokenizer's chat template")
    parser.add_argument("--device", help="cpu or cuda (default: cuda when available)")
    parser.add_argument("--dtype", choices=["float32", "bfloat16", "float16"], default="float32", help="weights of the frozen base (default float32)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--probe", help="JSON list of prompts to score after tuning")
    parser.add_argument("--probe-out", help="where --probe writes ids and answer logits (JSON)")
    args = parser.parse_args()

    settings = read_json(os.path.join(args.export, "lora.json"), "The export settings")
    names = [variant["name"] for variant in settings.get("variants", [])]
    if args.variant not in names:
        fail(f"the export has no variant {args.variant!r}; it has {', '.join(names) or 'none'}.")
    examples = read_examples(os.path.join(args.export, args.variant, "train.jsonl"))
    base = args.base or settings.get("huggingFaceBase") or settings.get("base")
    if not base or base == "scratch" or base.startswith("model:") or base.endswith(".gguf"):
        fail(f"the base {base!r} is not a Hugging Face checkpoint; pass --base (a folder or Hub id of the same model).")

    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    training = settings.get("training", {})
    lora = settings["lora"]
    tokenizer = load_tokenizer(base)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=getattr(torch, args.dtype))
    encode = encoder(tokenizer, model.config, args.prompt_format, args.max_prompt_tokens)
    answers = settings.get("answers", {"yes": "Yes", "no": "No"})
    yes_id, no_id = single_token(tokenizer, answers["yes"]), single_token(tokenizer, answers["no"])
    config = LoraConfig(
        r=lora["r"],
        lora_alpha=lora["lora_alpha"],
        lora_dropout=lora["lora_dropout"],
        target_modules=list(lora["target_modules"]),
        layers_to_transform=lora.get("layers_to_transform"),
        bias="none",
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, config).to(device)
    model.print_trainable_parameters()
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=args.learning_rate or training.get("learning_rate", 1e-4), weight_decay=0.0)
    batch_size = args.batch_size or training.get("batch_size", 8)
    epochs = args.epochs or training.get("epochs", 2)
    encoded = [(encode(user, system), yes_id if label == 1 else no_id) for user, system, label in examples]
    steps_per_epoch = math.ceil(len(encoded) / batch_size)
    total = math.ceil(steps_per_epoch * epochs)
    if args.max_steps is not None:
        total = min(total, args.max_steps)
    model.train()
    step, tokens, started, losses = 0, 0, time.time(), []
    while step < total:
        order = list(range(len(encoded)))
        random.shuffle(order)
        for start in range(0, len(order), batch_size):
            if step >= total:
                break
            batch = [encoded[i] for i in order[start : start + batch_size]]
            logits = last_logits(model, [ids for ids, _ in batch], device, torch)
            loss = torch.nn.functional.cross_entropy(logits.float(), torch.tensor([target for _, target in batch], device=device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            tokens += sum(len(ids) for ids, _ in batch)
            losses.append(loss.item())
            print(f"step {step}/{total} loss {loss.item():.4f}", flush=True)
    seconds = time.time() - started
    model.save_pretrained(args.out)
    report = {"variant": args.variant, "base": base, "steps": step, "examples": len(encoded), "final_loss": losses[-1] if losses else None, "seconds": seconds, "tokens_per_second": tokens / seconds if seconds > 0 else None, "device": device}
    with open(os.path.join(args.out, "train_report.json"), "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
    print(json.dumps(report))

    if args.probe:
        prompts = read_json(args.probe, "The probe prompts")
        model.eval()
        results = []
        with torch.no_grad():
            for prompt in prompts:
                ids = encode(prompt)
                logits = last_logits(model, [ids], device, torch)[0].float()
                results.append({"ids": ids, "yesLogit": logits[yes_id].item(), "noLogit": logits[no_id].item()})
        with open(args.probe_out or os.path.join(args.out, "probe.json"), "w", encoding="utf-8") as handle:
            json.dump(results, handle)


if __name__ == "__main__":
    main()
