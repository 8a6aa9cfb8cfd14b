"""Independent reference embeddings for the pretrained-encoder tests of @score/text-encoders.

A plain numpy (float64) forward pass of Hugging Face BertModel, written from the architecture
(Devlin et al. 2019; HF modeling_bert: post-LayerNorm blocks, exact erf GELU), with the Rust
`tokenizers` library for the ids, and the sentence-transformers pooling of the model card
(all-MiniLM-L6-v2: mean over the attention mask, then L2 normalise; bge-small: CLS, then L2
normalise). It shares no code with the TypeScript under test.

Needs only light wheels:  python3 -m venv /tmp/ref && /tmp/ref/bin/pip install numpy tokenizers safetensors
Run:   /tmp/ref/bin/python libs/text-encoders/reference/bert_reference.py MODEL_DIR \
           libs/text-encoders/src/test-fixtures/sentence-texts.json \
           libs/text-encoders/src/test-fixtures/minilm-reference.json
"""

import json
import math
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

FULL_MEAN = [0, 1, 6, 16, 19, 47]  # texts whose whole mean-pooled embedding is recorded
FULL_CLS = [0, 2, 9]  # texts whose whole CLS-pooled embedding is recorded
PREFIX = 8  # leading components recorded for every text


def erf(x):
    return np.vectorize(math.erf)(x)


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def bert_forward(weights, config, ids):
    """Last hidden states [length, hidden] of one unpadded sequence."""
    g = lambda name: weights[name].astype(np.float64)
    hidden, heads = config["hidden_size"], config["num_attention_heads"]
    size = hidden // heads
    eps = config.get("layer_norm_eps", 1e-12)
    n = len(ids)
    x = g("embeddings.word_embeddings.weight")[ids] + g("embeddings.position_embeddings.weight")[:n] + g("embeddings.token_type_embeddings.weight")[0]
    x = layer_norm(x, g("embeddings.LayerNorm.weight"), g("embeddings.LayerNorm.bias"), eps)
    linear = lambda t, p: t @ g(p + ".weight").T + g(p + ".bias")
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."
        q = linear(x, p + "attention.self.query").reshape(n, heads, size).transpose(1, 0, 2)
        k = linear(x, p + "attention.self.key").reshape(n, heads, size).transpose(1, 0, 2)
        v = linear(x, p + "attention.self.value").reshape(n, heads, size).transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(size)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        context = (probs @ v).transpose(1, 0, 2).reshape(n, hidden)
        attention = layer_norm(linear(context, p + "attention.output.dense") + x, g(p + "attention.output.LayerNorm.weight"), g(p + "attention.output.LayerNorm.bias"), eps)
        inner = linear(attention, p + "intermediate.dense")
        inner = 0.5 * inner * (1 + erf(inner / math.sqrt(2)))
        x = layer_norm(linear(inner, p + "output.dense") + attention, g(p + "output.LayerNorm.weight"), g(p + "output.LayerNorm.bias"), eps)
    return x


def normalise(v):
    return v / max(np.linalg.norm(v), 1e-12)


def main(model_dir, texts_file, out_file):
    config = json.load(open(f"{model_dir}/config.json"))
    max_length = json.load(open(f"{model_dir}/sentence_bert_config.json"))["max_seq_length"]
    weights = {k[5:] if k.startswith("bert.") else k: v for k, v in load_file(f"{model_dir}/model.safetensors").items()}
    tokenizer = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    texts = json.load(open(texts_file))["texts"]
    out = {"source": "libs/text-encoders/reference/bert_reference.py (numpy float64, Rust tokenizers)", "maxLength": max_length, "ids": [], "meanPrefix": [], "meanFull": {}, "clsFull": {}}
    for index, text in enumerate(texts):
        ids = tokenizer.encode(text).ids
        states = bert_forward(weights, config, ids)
        mean = normalise(states.mean(0))
        out["ids"].append(ids)
        out["meanPrefix"].append([float(f"{x:.6g}") for x in mean[:PREFIX]])
        if index in FULL_MEAN:
            out["meanFull"][str(index)] = [float(f"{x:.6g}") for x in mean]
        if index in FULL_CLS:
            out["clsFull"][str(index)] = [float(f"{x:.6g}") for x in normalise(states[0])]
    with open(out_file, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
