#!/usr/bin/python3
"""
Reference outputs of scikit-learn for the score metrics (src/evaluate/scores.ts) and the
logistic-regression baseline (src/model/baselines/logisticRegression.ts).

Writes test/fixtures/sklearn/scores.json and test/fixtures/sklearn/logistic.json. The JSON files
are committed, so the tests never need scikit-learn. Regenerate with (Debian: apt install
python3-sklearn):

    /usr/bin/python3 scripts/sklearn-fixtures.py
"""
import json
import os
import sys

import numpy as np
import scipy
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (average_precision_score, precision_recall_curve,
                             roc_auc_score, roc_curve)
from sklearn.preprocessing import StandardScaler

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "sklearn")


def floats(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def versions():
    return {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "python": sys.version.split()[0]}


def score_case(name, y, s):
    y = np.asarray(y, dtype=np.int64)
    s = np.asarray(s, dtype=np.float64)
    case = {"name": name, "labels": [int(v) for v in y], "scores": floats(s)}
    for drop in (True, False):
        fpr, tpr, thr = roc_curve(y, s, drop_intermediate=drop)
        case["roc_drop" if drop else "roc_all"] = {"fpr": floats(fpr), "tpr": floats(tpr), "thresholds": floats(thr)}
    case["roc_auc"] = float(roc_auc_score(y, s))
    case["roc_auc_max_fpr"] = {str(m): float(roc_auc_score(y, s, max_fpr=m)) for m in (0.1, 0.25, 0.5)}
    p, r, t = precision_recall_curve(y, s)
    case["pr"] = {"precision": floats(p), "recall": floats(r), "thresholds": floats(t)}
    case["average_precision"] = float(average_precision_score(y, s))
    return case


def score_cases():
    rng = np.random.RandomState(20240601)
    cases = []
    # continuous scores, classes overlap
    y = (rng.rand(60) < 0.4).astype(int)
    cases.append(score_case("continuous, 60 rows", y, rng.randn(60) + 1.2 * y))
    # scores rounded to one decimal: many ties inside and across classes
    y = (rng.rand(200) < 0.3).astype(int)
    cases.append(score_case("rounded to 0.1, 200 rows, ties", y, np.round(rng.rand(200) * 0.7 + 0.3 * y, 1)))
    # five score levels only, imbalanced (few positives)
    y = np.zeros(40, dtype=int)
    y[rng.choice(40, 6, replace=False)] = 1
    cases.append(score_case("five levels, 6 of 40 positive", y, rng.randint(0, 5, 40) + y))
    # float32 probabilities, mostly positive rows (like the thesis's broken-heavy sets)
    y = (rng.rand(120) < 0.85).astype(int)
    logits = rng.randn(120) * 1.5 + 1.0 * y
    cases.append(score_case("float32 probabilities, 85 % positive", y, (1 / (1 + np.exp(-logits))).astype(np.float32)))
    # perfect and inverted rankings
    cases.append(score_case("perfect", [0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.8, 0.9]))
    cases.append(score_case("inverted", [1, 1, 0, 0, 0], [0.1, 0.2, 0.3, 0.8, 0.9]))
    return cases


def logistic_cases():
    rng = np.random.RandomState(7)
    cases = []
    for name, n, dims, weight in (("20 dims, imbalanced, no class weight", 240, 20, None),
                                  ("20 dims, imbalanced, balanced class weight", 240, 20, "balanced"),
                                  ("6 dims, different scales", 150, 6, None)):
        x = rng.randn(n, dims) * rng.uniform(0.1, 30, dims) + rng.uniform(-50, 50, dims)
        x = np.round(x, 4)
        w_true = rng.randn(dims)
        z = StandardScaler().fit_transform(x) @ w_true * 0.8 - 1.0 + 0.8 * rng.randn(n)
        y = (z > 0).astype(int)
        x_test = np.round(rng.randn(25, dims) * x.std(0) + x.mean(0), 4)
        scaler = StandardScaler().fit(x)
        model = LogisticRegression(C=1.0, class_weight=weight, solver="newton-cholesky", tol=1e-12, max_iter=1000)
        model.fit(scaler.transform(x), y)
        cases.append({
            "name": name, "rows": n, "dims": dims, "class_weight": weight,
            "x": floats(x), "labels": [int(v) for v in y], "x_test": floats(x_test),
            "mean": floats(scaler.mean_), "scale": floats(scaler.scale_),
            "coef": floats(model.coef_[0]), "intercept": float(model.intercept_[0]),
            "proba_test": floats(model.predict_proba(scaler.transform(x_test))[:, 1]),
        })
    return cases


def write(name, payload):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(payload, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(path)}")


if __name__ == "__main__":
    write("scores.json", {"versions": versions(), "cases": score_cases()})
    write("logistic.json", {
        "versions": versions(),
        "model": "StandardScaler, then LogisticRegression(C=1, solver='newton-cholesky', tol=1e-12) on the standardised rows",
        "cases": logistic_cases(),
    })
