"""The question's answer as a script: 5 stratified folds of an SVC on iris, f1 and confusion matrix per fold.

The folds run serially and then with joblib's Parallel; the script checks that both give the same results.
Run it from a terminal, at the top of the repository:

    python examples/cv_script.py --n-jobs 2 --folds 5
"""

import argparse
import sys

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC


def fold_scores(estimator, X, y, train_index, test_index):
    """Fit a clone of ``estimator`` on the training rows; return the test rows' weighted f1 and confusion matrix.

    The third value says whether the process running this fold also ran this script's top level (in a worker
    that did not, the script's functions are absent from its ``__main__`` module).
    """
    model = clone(estimator).fit(X[train_index], y[train_index])
    y_pred = model.predict(X[test_index])
    ran_the_script = hasattr(sys.modules["__main__"], "fold_scores")
    return f1_score(y[test_index], y_pred, average="weighted"), confusion_matrix(y[test_index], y_pred), ran_the_script


def main(argv=None):
    parser = argparse.ArgumentParser(description="Cross-validate an SVC on iris, serially and in parallel.")
    parser.add_argument("--n-jobs", type=int, default=2, help="joblib workers (default 2)")
    parser.add_argument("--folds", type=int, default=5, help="stratified folds (default 5)")
    args = parser.parse_args(argv)

    X, y = load_iris(return_X_y=True)
    splits = list(StratifiedKFold(n_splits=args.folds).split(X, y))
    svc = SVC(kernel="rbf")

    serial = [fold_scores(svc, X, y, train, test) for train, test in splits]
    parallel = Parallel(n_jobs=args.n_jobs)(delayed(fold_scores)(svc, X, y, train, test) for train, test in splits)

    for fold, (f1, matrix, _) in enumerate(parallel):
        print(f"fold {fold}: f1 = {f1}")
        print(matrix)
    same = all(s[0] == p[0] and np.array_equal(s[1], p[1]) for s, p in zip(serial, parallel))
    print("parallel == serial:", same)
    print(f"folds run in a process that ran this script's top level: {sum(p[2] for p in parallel)} of {len(parallel)}")
    return 0 if same else 1


if __name__ == "__main__":  # run only when started as a script, not when a worker process imports this file
    sys.exit(main())
