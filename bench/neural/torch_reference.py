#!/usr/bin/env python3
"""The reference half of bench/neural/run: the same network as ksauth's mlp or lstm, in PyTorch, trained on
the rows bench_neural_epochs wrote, with the same parameters (its JSON "params"), batch order drawn the same
way (torch.randperm from the seed) and the same per-epoch work: one pass over the training rows in
mini-batches of Adam, then the validation accuracy. Prints one JSON object like bench_neural_epochs.

  torch_reference.py --rows FILE --model mlp|lstm --params JSON [--seed S] [--threads N]
"""
import argparse
import csv
import json
import math
import os
import time

import numpy as np
import torch
from torch import nn


def load_rows(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        parts, labels, values = [], [], []
        for row in reader:
            parts.append(row[0])
            labels.append(int(row[1]))
            values.append([float(v) for v in row[2:]])
    return header[2:], np.array(parts), np.array(labels, dtype=np.int64), np.array(values)


def scale(x, train):
    """ksauth's models/input_scaling: log of the features positive in every training row, then z-scores."""
    logged = (x[train] > 0).all(axis=0)
    floor = np.where(logged, x[train].min(axis=0), 0.0)
    v = np.where(logged, np.log(np.maximum(x, np.where(logged, floor, 1.0))), x)
    mean = v[train].mean(axis=0)
    sd = v[train].std(axis=0)
    sd[~(sd > 1e-12)] = 1.0
    return np.clip((v - mean) / sd, -1e4, 1e4)


def sequence(names, x):
    """ksauth's features::sequence_columns: per key its hold, press-to-press and release-to-press latency."""
    col = {n: i for i, n in enumerate(names)}
    keys = 1 + max(int(n.split(".")[1]) for n in names if "." in n)
    kinds = [k for k in ("H", "DD", "UD") if any(n.startswith(k + ".") for n in names)]
    out = np.zeros((x.shape[0], keys, len(kinds)), dtype=np.float32)
    for i in range(keys):
        for j, k in enumerate(kinds):
            c = col.get(f"{k}.{i}")
            if c is not None:
                out[:, i, j] = x[:, c]
    return out


class Mlp(nn.Module):
    def __init__(self, n_inputs, n_classes, p):
        super().__init__()
        self.hidden1 = nn.Linear(n_inputs, int(p["hidden1"]))
        self.hidden2 = nn.Linear(int(p["hidden1"]), int(p["hidden2"]))
        self.output = nn.Linear(int(p["hidden2"]), n_classes)
        self.dropout = nn.Dropout(p["dropout"])

    def forward(self, x):
        h = self.dropout(torch.relu(self.hidden1(x)))
        return self.output(self.dropout(torch.relu(self.hidden2(h))))


class Lstm(nn.Module):
    def __init__(self, n_inputs, n_steps, n_classes, p):
        super().__init__()
        emb, hidden, layers = int(p["embedding"]), int(p["hidden"]), int(p["layers"])
        self.position = nn.Embedding(n_steps, emb) if emb > 0 else None
        self.lstm = nn.LSTM(n_inputs + emb, hidden, layers, batch_first=True,
                            dropout=p["dropout"] if layers > 1 else 0.0)
        self.dropout = nn.Dropout(p["dropout"])
        self.output = nn.Linear(hidden, n_classes)

    def forward(self, x):
        if self.position is not None:
            pos = self.position.weight.unsqueeze(0).expand(x.shape[0], -1, -1)
            x = torch.cat([x, pos], 2)
        out, _ = self.lstm(x)
        return self.output(self.dropout(out[:, -1]))


def accuracy(net, x, y):
    with torch.no_grad():
        right = 0
        for b in range(0, len(x), 4096):
            right += (net(x[b:b + 4096]).argmax(1) == y[b:b + 4096]).sum().item()
    return right / len(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", required=True)
    ap.add_argument("--model", required=True, choices=["mlp", "lstm"])
    ap.add_argument("--params", required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    p = json.loads(a.params)
    torch.set_num_threads(a.threads)

    names, parts, labels, values = load_rows(a.rows)
    train, val, hold = parts == "train", parts == "validation", parts == "holdout"
    x = scale(values, train)
    n_classes = int(labels.max()) + 1
    torch.manual_seed(a.seed)
    if a.model == "mlp":
        inputs = torch.tensor(x, dtype=torch.float32)
        net = Mlp(x.shape[1], n_classes, p)
    else:
        seq = sequence(names, x)
        inputs = torch.tensor(seq)
        net = Lstm(seq.shape[2], seq.shape[1], n_classes, p)
    y = torch.tensor(labels)
    x_train, y_train = inputs[torch.tensor(train)], y[torch.tensor(train)]
    x_val, y_val = inputs[torch.tensor(val)], y[torch.tensor(val)]
    x_hold, y_hold = inputs[torch.tensor(hold)], y[torch.tensor(hold)]

    opt = torch.optim.Adam(net.parameters(), lr=p["learning_rate"])
    batch, epochs = int(p["batch_size"]), int(p["epochs"])
    best, best_state, seconds = -1.0, None, []
    started = time.perf_counter()
    for _ in range(epochs):
        t = time.perf_counter()
        net.train()
        order = torch.randperm(len(x_train))
        for b in range(0, len(order), batch):
            rows = order[b:b + batch]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(x_train[rows]), y_train[rows])
            loss.backward()
            opt.step()
        net.eval()
        acc = accuracy(net, x_val, y_val)
        if acc > best:
            best, best_state = acc, {k: v.clone() for k, v in net.state_dict().items()}
        seconds.append(time.perf_counter() - t)
    fit_seconds = time.perf_counter() - started
    net.load_state_dict(best_state)
    net.eval()
    print(json.dumps({"implementation": f"PyTorch {torch.__version__} (Python)", "model": a.model, "params": p,
                      "train_rows": int(train.sum()), "validation_rows": int(val.sum()),
                      "holdout_rows": int(hold.sum()), "epochs": len(seconds),
                      "seconds_per_epoch": sum(seconds) / len(seconds), "fit_seconds": fit_seconds,
                      "holdout_accuracy": accuracy(net, x_hold, y_hold)}))


if __name__ == "__main__":
    main()
