#!/usr/bin/env python3
"""The reference half of the model pairs in bench/run: scikit-learn on the rows bench_models wrote (the same
training and holdout rows). Prints one JSON object like bench_models: fit seconds, holdout accuracy, and
prediction throughput (predict_proba over the holdout rows, repeated for at least --predict-seconds; and
one attempt at a time).

  sklearn_reference.py --rows FILE --model adaboost|mlp --params JSON [--predict-seconds S]

adaboost: AdaBoostClassifier(DecisionTreeClassifier(max_depth), n_estimators, learning_rate,
algorithm="SAMME"), ksauth's algorithm. mlp: MLPClassifier with ksauth's hidden sizes, for prediction
throughput only (fitted for 5 epochs; a prediction costs the same whatever the weights).
"""
import argparse
import json
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import AdaBoostClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier


def throughput(n, budget, predict):
    done, start = 0, time.perf_counter()
    while True:
        predict()
        done += n
        if time.perf_counter() - start >= budget:
            return done / (time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", required=True)
    ap.add_argument("--model", required=True, choices=["adaboost", "mlp"])
    ap.add_argument("--params", required=True)
    ap.add_argument("--predict-seconds", type=float, default=1.0)
    args = ap.parse_args()
    params = json.loads(args.params)

    rows = pd.read_csv(args.rows)
    train = rows["part"].values == "train"
    x = rows.drop(columns=["part", "label"]).values
    y = rows["label"].values
    if args.model == "adaboost":
        model = AdaBoostClassifier(DecisionTreeClassifier(max_depth=params["max_depth"]),
                                   n_estimators=params["n_estimators"], learning_rate=params["learning_rate"],
                                   algorithm="SAMME", random_state=0)
    else:
        warnings.filterwarnings("ignore")  # 5 epochs do not converge, on purpose
        model = MLPClassifier(hidden_layer_sizes=(params["hidden1"], params["hidden2"]),
                              batch_size=params["batch_size"], max_iter=5, random_state=0)
    start = time.perf_counter()
    model.fit(x[train], y[train])
    fit_seconds = time.perf_counter() - start
    holdout = x[~train]
    accuracy = float((model.predict(holdout) == y[~train]).mean())
    batch = throughput(len(holdout), args.predict_seconds, lambda: model.predict_proba(holdout))
    one = holdout[:1]
    single = throughput(1, args.predict_seconds / 2, lambda: model.predict_proba(one))
    print(json.dumps({"implementation": "scikit-learn", "model": args.model, "params": params,
                      "train_rows": int(train.sum()), "holdout_rows": int(len(holdout)),
                      "fit_seconds": fit_seconds, "holdout_accuracy": accuracy,
                      "predict_per_second": batch, "predict_one_per_second": single}))


if __name__ == "__main__":
    main()
