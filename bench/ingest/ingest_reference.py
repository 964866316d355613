#!/usr/bin/env python3
"""The reference half of the ingest pair in bench/run: what ksauth's ingest does, written as an engineer would
in Python (json + numpy): follow a training chain from its first page (files), replay each attempt
([backspace] deletes the previous character, other [named] keys type nothing), choose the phrase (the
default one if any attempt spells it, else the most common text), keep the valid attempts of enrolled users
(min_attempts 1) and build their feature matrix (per position H, DD, UD when every valid attempt has
release times; then backspaces and duration; seconds). Prints one JSON object: seconds, bytes read, MB/s,
rows, columns, peak memory (max RSS, MiB) and a checksum of the matrix to compare with ksauth's.

  ingest_reference.py FIRST_PAGE
"""
import datetime as dt
import json
import os
import resource
import sys
import time

import numpy as np

DEFAULT_PHRASE = "Be Authentic. Be Yourself. Be Typing."
EPOCH = dt.datetime(1970, 1, 1)


def micros(text):
    d = dt.datetime.fromisoformat(text) - EPOCH
    return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds


def replay(events):
    text, kept, backspaces = [], [], 0
    for i, e in enumerate(events):
        key = e["character"]
        if key == "[backspace]":
            backspaces += 1
            if kept:
                text.pop()
                kept.pop()
        elif not (len(key) > 2 and key[0] == "[" and key[-1] == "]"):
            text.append(key)
            kept.append(i)
    return "".join(text), kept, backspaces


def features(events, kept, backspaces):
    """The attempt's row over its own text, with release features (None where a kept key has no release)."""
    press = [micros(events[i]["typed_at"]) for i in kept]
    release = [micros(events[i]["released_at"]) if "released_at" in events[i] else None for i in kept]
    with_release = all(r is not None for r in release)
    row = []
    for j in range(len(kept)):
        if with_release:
            row.append((release[j] - press[j]) / 1e6)
        if j > 0:
            row.append((press[j] - press[j - 1]) / 1e6)
            if with_release:
                row.append((press[j] - release[j - 1]) / 1e6)
    presses = [micros(e["typed_at"]) for e in events]
    row.append(float(backspaces))
    row.append((max(presses) - min(presses)) / 1e6)
    return row, with_release


def main():
    first = sys.argv[1]
    start = time.perf_counter()
    directory, name = os.path.dirname(first), os.path.basename(first)
    seen = set()
    n_bytes = 0
    texts, users, rows, releases = [], [], [], []
    while name and name not in seen:
        seen.add(name)
        with open(os.path.join(directory, name), "rb") as f:
            body = f.read()
        n_bytes += len(body)
        page = json.loads(body)
        del body
        label = page["user_label"]
        for events in page["user_data"]:
            text, kept, backspaces = replay(events)
            row, with_release = features(events, kept, backspaces) if kept else ([], False)
            texts.append(text)
            users.append(label)
            rows.append(row)
            releases.append(with_release)
        name = page.get("next")
        del page

    if DEFAULT_PHRASE in texts:
        phrase = DEFAULT_PHRASE
    else:
        counts = {}
        for t in texts:
            if t:
                counts[t] = counts.get(t, 0) + 1
        phrase = max(counts, key=counts.get) if counts else DEFAULT_PHRASE  # max keeps the first met on ties
    valid = [t == phrase for t in texts]
    with_release = any(valid) and all(r for r, v in zip(releases, valid) if v)
    keep = [i for i, v in enumerate(valid) if v and (releases[i] or not with_release)]
    if with_release:
        x = np.array([rows[i] for i in keep], dtype=np.float64)
    else:  # only the DD columns, backspaces and duration
        x = np.array([rows[i][1::3] if releases[i] else rows[i] for i in keep], dtype=np.float64)
    labels = sorted(set(users[i] for i in keep), key=users.index)
    y = np.array([labels.index(users[i]) for i in keep]) if len(labels) < 1000 else None
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "bytes": n_bytes, "mb_per_s": n_bytes / 1e6 / seconds,
                      "pages": len(seen), "attempts": len(texts), "rows": int(x.shape[0]),
                      "columns": int(x.shape[1]) if x.ndim == 2 else 0, "peak_mib": peak,
                      "checksum": float(np.sum(x))}))


if __name__ == "__main__":
    main()
