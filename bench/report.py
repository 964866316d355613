#!/usr/bin/env python3
"""Turns the results of bench/run (JSON files in --results) into the Markdown section of docs/benchmarks.md.

  report.py --results DIR --scales "1 10 100" [--write docs/benchmarks.md]

Without --write it prints the section; with it, replaces the text between the markers in that file (adding
them at the end the first time).
"""
import argparse
import datetime
import json
import os
import platform
import re

BEGIN = "<!-- bench/run: begin (written by bench/run; edit bench/report.py, not this section) -->"
END = "<!-- bench/run: end -->"


def load(results, name):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return f"{cpu}, {os.cpu_count()} cores, {mem_kib / 2**20:.0f} GiB, {platform.system()} {platform.release()}"


def ratio(a, b):
    return f"{a / b:.1f}x"


def section(results, scales):
    out = [BEGIN, "", "## Side by side with the Python stack (`bench/run`)", ""]
    out.append(f"Measured {datetime.date.today().isoformat()} on {machine()}, by:")
    out += ["", "```sh", "scripts/setup --bench   # python3-sklearn, python3-pandas, python3-torch, wrk",
            f"bench/run --scales \"{' '.join(scales)}\"", "```", "",
            "(`bench/run --tasks ...` runs some of the tasks again; each row comes from the last run of its task.)",
            ""]
    out.append("| task | data | ksauth | reference | ksauth faster by |")
    out.append("|---|---|---|---|---|")

    for k in scales:
        ours, ref = load(results, f"ingest-{k}-ours.json"), load(results, f"ingest-{k}-ref.json")
        if not ours or not ref:
            continue
        data = f"CMU chain x{k}: {ours['pages']} pages, {ours['bytes'] / 1e6:.0f} MB, {ours['attempts']:,} attempts"
        out.append(f"| ingest: chain from files to the feature matrix ({ours['rows']:,} x {ours['columns']}) | {data} | "
                   f"{ours['mb_per_s']:.0f} MB/s, peak {ours['peak_mib']:.0f} MiB | "
                   f"{ref['mb_per_s']:.1f} MB/s, peak {ref['peak_mib']:.0f} MiB (Python json + numpy) | "
                   f"{ratio(ours['mb_per_s'], ref['mb_per_s'])} |")

    ours, ref = load(results, "adaboost-1-ours.json"), load(results, "adaboost-1-ref.json")
    if ours and ref:
        p = ours["params"]
        setting = f"{p['n_estimators']} trees of depth {p['max_depth']}, learning rate {p['learning_rate']:g}, SAMME"
        out.append(f"| AdaBoost fit ({setting}) | CMU chain: {ours['train_rows']:,} training rows, {ours['classes']} users | "
                   f"{ours['fit_seconds']:.2f} s, holdout accuracy {ours['holdout_accuracy']:.4f} | "
                   f"{ref['fit_seconds']:.1f} s, holdout accuracy {ref['holdout_accuracy']:.4f} (scikit-learn "
                   f"AdaBoostClassifier) | {ratio(ref['fit_seconds'], ours['fit_seconds'])} |")
    ten = load(results, "adaboost-10-ours.json")
    if ten:
        out.append(f"| AdaBoost fit (the same settings) | CMU chain x10: {ten['train_rows']:,} training rows, "
                   f"{ten['classes']} users | {ten['fit_seconds']:.1f} s, holdout accuracy "
                   f"{ten['holdout_accuracy']:.4f} | not run (10 times the rows and the classes) | |")

    predictions = [("adaboost (200 depth-8 trees)", "adaboost-1-ours.json", "adaboost-1-ref.json"),
                   ("adaboost (defaults: 200 depth-10 trees)", "predict-adaboost-default.json", None),
                   ("manhattan", "predict-manhattan.json", None),
                   ("mlp", "predict-mlp.json", "predict-mlp-ref.json"),
                   ("lstm", "predict-lstm.json", None)]
    for name, ours_file, ref_file in predictions:
        ours = load(results, ours_file)
        if not ours:
            continue
        ref = load(results, ref_file) if ref_file else None
        ours_text = (f"{ours['predict_per_second']:,.0f} attempts/s in batches, "
                     f"{ours['predict_one_per_second']:,.0f}/s one at a time")
        if ref:
            ref_text = (f"{ref['predict_per_second']:,.0f} attempts/s in batches, "
                        f"{ref['predict_one_per_second']:,.0f}/s one at a time (scikit-learn "
                        f"{'AdaBoostClassifier' if 'adaboost' in name else 'MLPClassifier'})")
            faster = (f"{ratio(ours['predict_per_second'], ref['predict_per_second'])} in batches, "
                      f"{ratio(ours['predict_one_per_second'], ref['predict_one_per_second'])} one at a time")
        else:
            ref_text, faster = "no scikit-learn counterpart", ""
        out.append(f"| predict: `{name}` | CMU chain holdout, {ours['holdout_rows']:,} attempts, one thread | "
                   f"{ours_text} | {ref_text} | {faster} |")

    for threads in (1, 2):
        http = load(results, f"http-{threads}.json")
        if not http:
            continue
        out.append(f"| HTTP: `POST /api/v1/models/{{name}}/predict`, one attempt per request, default adaboost, "
                   f"wrk -t{threads} -c50 on loopback | {http['requests']:,} requests in {http['seconds']:.0f} s | "
                   f"{http['requests_per_second']:,.0f} requests/s, p50 {http['p50_ms']:.2f} ms, p99 "
                   f"{http['p99_ms']:.2f} ms, max {http['max_ms']:.1f} ms, {http['http_errors']} HTTP errors, "
                   f"{http['socket_errors']} socket errors | | |")

    out += ["",
            "The two ingest sides ran in turn, 15 times at 1x, 5 at 10x and 3 at 100x, and the fastest run of each side is kept (all read the pages from the page cache); "
            "peak memory is the process's maximum resident set. The scaled chains are the CMU chain's 51 users "
            "each copied K times with a tempo of their own and per-keystroke jitter (`bench/data/scale_chain.py`). "
            "The model rows are the stratified 0.2 holdout split of `ksauth train --seed 42`, written by "
            "`bench_models` and read by the scikit-learn side, so both fit and score the same rows. The neural "
            "models' throughput is measured after a few epochs of training (a prediction costs the same whatever "
            "the weights). wrk and the server share the machine's 2 cores: with one wrk thread the server keeps the "
            "other core; with two, wrk competes with the server it measures and its own scheduling delays lengthen "
            "the tail it reports at the same throughput.",
            "", END]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--scales", required=True)
    ap.add_argument("--write")
    args = ap.parse_args()
    text = section(args.results, args.scales.split())
    if not args.write:
        print(text)
        return
    with open(args.write) as f:
        doc = f.read()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    doc = pattern.sub(lambda _: text, doc) if pattern.search(doc) else doc.rstrip("\n") + "\n\n" + text + "\n"
    with open(args.write, "w") as f:
        f.write(doc)
    print(f"bench/run: wrote {args.write}")


if __name__ == "__main__":
    main()
