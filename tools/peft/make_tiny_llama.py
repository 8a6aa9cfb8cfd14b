#!/usr/bin/env python3
"""Write a tiny random Llama checkpoint (transformers' LlamaConfig, tiny sizes) around a tokenizer.json.

For tests of the GPU route on a CPU: `train_lora.py` tunes it for a few steps, and the trainer's
test loads its adapter into the tfjs model. The checkpoint is float32 safetensors.

    python tools/peft/make_tiny_llama.py --tokenizer tokenizer.json --bos-id 2 --out tiny-llama
"""
import argparse
import os
import shutil

import torch
from transformers import LlamaConfig, LlamaForCausalLM
from tokenizers import Tokenizer


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokenizer", required=True, help="a tokenizer.json (its size is the vocabulary)")
    parser.add_argument("--bos-id", type=int, required=True, help="the BOS token id written as bos_token_id")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    vocab = Tokenizer.from_file(args.tokenizer).get_vocab_size(with_added_tokens=True)
    torch.manual_seed(args.seed)
    config = LlamaConfig(
        vocab_size=vocab,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=16,
        max_position_embeddings=2048,
        rms_norm_eps=1e-5,
        bos_token_id=args.bos_id,
        eos_token_id=args.bos_id,
        pad_token_id=0,
        tie_word_embeddings=False,
    )
    model = LlamaForCausalLM(config)
    # Larger random weights than the default init (std 0.02), so logits differ between prompts.
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() == 2:
                parameter.normal_(0.0, 0.2)
    model.save_pretrained(args.out, safe_serialization=True)
    shutil.copyfile(args.tokenizer, os.path.join(args.out, "tokenizer.json"))
    print(f"wrote {args.out}: vocabulary {vocab}, {sum(p.numel() for p in model.parameters())} parameters")


if __name__ == "__main__":
    main()
