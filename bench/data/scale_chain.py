#!/usr/bin/env python3
"""Writes a training chain K times the size of the CMU chain, with the same statistics, for bench/run.

  scale_chain.py --source FIRST_PAGE --scale K --out DIR

Each of the source's users appears K times: copy 0 is the user as recorded (so --scale 1 is the chain
itself, page for page), copy c >= 1 ("s002.c1") is the same 300 attempts retimed as a new typist: a tempo
of its own (every hold and press-to-press gap times one factor drawn per copy, log-normal, sd 0.1), a
rhythm of its own (the hold and the gap at each position of the attempt times a factor drawn per copy and
position, log-normal, sd 0.15), and per-keystroke jitter (each hold and gap times a factor drawn per event,
log-normal, sd 0.05). So the copies of a typist are told apart as different typists are. Keys,
attempt counts and the page format (one page per user, indent 1, `next` to the following page) are the
source's. Seeded: the same command writes the same bytes. Prints the first page's path.
"""
import argparse
import datetime as dt
import json
import math
import os
import random


def pages(first):
    """The source chain's pages in order, as parsed JSON."""
    directory = os.path.dirname(first)
    name = os.path.basename(first)
    seen = set()
    while name and name not in seen:
        seen.add(name)
        with open(os.path.join(directory, name)) as f:
            page = json.load(f)
        yield page
        name = page.get("next")


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")


def retimed(attempt, tempo, rhythm, rng):
    """The attempt with every hold and press-to-press gap scaled by tempo, the position's rhythm factors
    (hold, gap) and a per-event jitter."""
    parse = dt.datetime.fromisoformat
    presses = [parse(e["typed_at"]) for e in attempt]
    start = presses[0]
    out = []
    t = start
    for i, e in enumerate(attempt):
        if i > 0:
            gap = (presses[i] - presses[i - 1]).total_seconds()
            t = t + dt.timedelta(seconds=gap * tempo * rhythm(i)[1] * math.exp(rng.gauss(0, 0.05)))
        event = {"character": e["character"], "typed_at": stamp(t)}
        if "released_at" in e:
            hold = (parse(e["released_at"]) - presses[i]).total_seconds()
            event["released_at"] = stamp(t + dt.timedelta(seconds=hold * tempo * rhythm(i)[0] * math.exp(rng.gauss(0, 0.05))))
        out.append(event)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--scale", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    if args.scale < 1:
        ap.error("--scale must be at least 1")
    os.makedirs(args.out, exist_ok=True)
    source = list(pages(args.source))
    users = []  # (label, attempts) in page order: every copy of a user follows the user
    for page in source:
        users.append((page["user_label"], page["user_data"]))
    names = []
    for copy in range(args.scale):
        for label, _ in users:
            names.append((label, copy))
    file_of = lambda label, copy: f"user_{label}.json" if copy == 0 else f"user_{label}.c{copy}.json"
    attempts_of = dict(users)
    for i, (label, copy) in enumerate(names):
        data = attempts_of[label]
        if copy > 0:
            rng = random.Random(f"{args.seed}:{label}:{copy}")
            tempo = math.exp(rng.gauss(0, 0.1))
            factors = []  # per position: (hold, gap), drawn as positions are first met

            def rhythm(i):
                while len(factors) <= i:
                    factors.append((math.exp(rng.gauss(0, 0.15)), math.exp(rng.gauss(0, 0.15))))
                return factors[i]

            data = [retimed(a, tempo, rhythm, rng) for a in data]
        page = {
            "user_data": data,
            "user_label": label if copy == 0 else f"{label}.c{copy}",
            "next": file_of(*names[i + 1]) if i + 1 < len(names) else None,
        }
        with open(os.path.join(args.out, file_of(label, copy)), "w") as f:
            json.dump(page, f, indent=1)
    print(os.path.join(args.out, file_of(*names[0])))


if __name__ == "__main__":
    main()
