"""PyTorch reference for the crm-sasrec benchmark: the SASRec that CoLLM trains as its CTR
baseline (the pmixer/SASRec.pytorch layout), timed per epoch on the CPU.

It answers one question: how long does PyTorch take for the epoch that
`libs/crm-sasrec/bench/train-bench.ts` times, on the same machine? Same shape: 33,907 rows
(ML-1M's train split has 33,891), 3,256 items, history 25, hidden 64, 2 blocks, 1 head, dropout
0.2, Adam lr 1e-2 with weight decay 1e-4, batch 2048, CTR objective (e_u = the last position's
output, logit = e_u . e_item, BCE with logits). The ids are random: speed does not depend on them,
and the full-length histories are what ML-1M's rows mostly are.

Run with Debian's python3-torch (`apt install python3-torch`):

    /usr/bin/python3 tools/bench/reference/sasrec_pytorch.py --threads 2 --epochs 3

Prints one line per epoch (seconds, rows/s); nothing here is imported by the TypeScript code.
"""

import argparse
import math
import time

import torch
from torch import nn


class PointWiseFeedForward(nn.Module):
    def __init__(self, hidden: int, dropout: float):
        super().__init__()
        self.conv1 = nn.Conv1d(hidden, hidden, kernel_size=1)
        self.dropout1 = nn.Dropout(p=dropout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv1d(hidden, hidden, kernel_size=1)
        self.dropout2 = nn.Dropout(p=dropout)

    def forward(self, inputs):
        outputs = self.dropout2(self.conv2(self.relu(self.dropout1(self.conv1(inputs.transpose(-1, -2))))))
        return outputs.transpose(-1, -2) + inputs


class SASRec(nn.Module):
    def __init__(self, items: int, hidden: int, blocks: int, heads: int, length: int, dropout: float):
        super().__init__()
        self.hidden = hidden
        self.item_emb = nn.Embedding(items + 1, hidden, padding_idx=0)
        self.pos_emb = nn.Embedding(length, hidden)
        self.emb_dropout = nn.Dropout(p=dropout)
        self.attention_layernorms = nn.ModuleList([nn.LayerNorm(hidden, eps=1e-8) for _ in range(blocks)])
        self.attention_layers = nn.ModuleList([nn.MultiheadAttention(hidden, heads, dropout) for _ in range(blocks)])
        self.forward_layernorms = nn.ModuleList([nn.LayerNorm(hidden, eps=1e-8) for _ in range(blocks)])
        self.forward_layers = nn.ModuleList([PointWiseFeedForward(hidden, dropout) for _ in range(blocks)])
        self.last_layernorm = nn.LayerNorm(hidden, eps=1e-8)
        for name, param in self.named_parameters():
            try:
                nn.init.xavier_normal_(param.data)
            except ValueError:
                pass

    def log_feats(self, seqs_ids):
        seqs = self.item_emb(seqs_ids) * math.sqrt(self.hidden)
        positions = torch.arange(seqs_ids.shape[1]).unsqueeze(0).expand(seqs_ids.shape[0], -1)
        seqs = self.emb_dropout(seqs + self.pos_emb(positions))
        timeline_mask = (seqs_ids == 0).unsqueeze(-1)
        seqs = seqs * ~timeline_mask
        length = seqs.shape[1]
        attention_mask = ~torch.tril(torch.ones((length, length), dtype=torch.bool))
        for i in range(len(self.attention_layers)):
            seqs = torch.transpose(seqs, 0, 1)
            q = self.attention_layernorms[i](seqs)
            outputs, _ = self.attention_layers[i](q, seqs, seqs, attn_mask=attention_mask)
            seqs = torch.transpose(q + outputs, 0, 1)
            seqs = self.forward_layers[i](self.forward_layernorms[i](seqs))
            seqs = seqs * ~timeline_mask
        return self.last_layernorm(seqs)

    def forward(self, seqs_ids, targets):
        users = self.log_feats(seqs_ids)[:, -1, :]
        return (users * self.item_emb(targets)).sum(-1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--rows', type=int, default=33907)
    parser.add_argument('--items', type=int, default=3256)
    parser.add_argument('--length', type=int, default=25)
    parser.add_argument('--batch', type=int, default=2048)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    histories = torch.randint(1, args.items + 1, (args.rows, args.length))
    targets = torch.randint(1, args.items + 1, (args.rows,))
    labels = (torch.rand(args.rows) < 0.55).float()
    model = SASRec(args.items, 64, 2, 1, args.length, 0.2)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-4)
    loss_fn = nn.BCEWithLogitsLoss()
    print(f'pytorch {torch.__version__}, {torch.get_num_threads()} threads, {args.rows} rows, batch {args.batch}')
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(args.rows)
        started = time.perf_counter()
        total = 0.0
        for start in range(0, args.rows, args.batch):
            index = order[start:start + args.batch]
            optimizer.zero_grad()
            loss = loss_fn(model(histories[index], targets[index]), labels[index])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
        seconds = time.perf_counter() - started
        print(f'epoch {epoch}: {seconds:.2f} s, {args.rows / seconds:.0f} rows/s, loss {total / args.rows:.4f}')


if __name__ == '__main__':
    main()
