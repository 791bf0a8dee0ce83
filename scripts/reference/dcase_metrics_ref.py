"""DCASE 2023 task-2 metrics of the hand-computed case in test/dcase.metrics.test.ts, computed the way
the official evaluator (nttcslab/dcase2023_task2_evaluator, dcase2023_task2_evaluator.py) does:
per domain, that domain's normal clips against all anomalous clips of the section; pAUC over the
whole section with roc_auc_score(max_fpr=0.1); official score = scipy.stats.hmean of them, each
floored at machine epsilon. Needs numpy, scipy, scikit-learn.

    python3 scripts/reference/dcase_metrics_ref.py
"""
import sys

import numpy
import scipy.stats
from sklearn import metrics

MAX_FPR = 0.1
y_true = numpy.array([0, 0, 1, 0, 0, 1, 1])
y_pred = numpy.array([0.1, 0.4, 0.5, 0.35, 0.8, 0.3, 0.9])
y_domain = numpy.array([0, 0, 0, 1, 1, 1, 1])  # 0 = source, 1 = target

values = []
for name, d in (("source", 0), ("target", 1)):
    keep = (y_domain == d) | (y_true != 0)
    auc = metrics.roc_auc_score(y_true[keep], y_pred[keep])
    own = y_domain == d
    print(f"AUC ({name}) {auc!r}  pAUC on {name} clips only {metrics.roc_auc_score(y_true[own], y_pred[own], max_fpr=MAX_FPR)!r}")
    values.append(auc)
pauc = metrics.roc_auc_score(y_true, y_pred, max_fpr=MAX_FPR)
print(f"pAUC {pauc!r}  (37/57 = {37 / 57!r})")
official = scipy.stats.hmean(numpy.maximum(values + [pauc], sys.float_info.epsilon))
print(f"official score {official!r}  (555/877 = {555 / 877!r})")
