"""Shared fixtures: small datasets and the SVC of the kit's question."""

import matplotlib
import pytest

matplotlib.use("Agg")

from sklearn.svm import SVC

from cvkit import load_dataset


@pytest.fixture(scope="session")
def iris():
    return load_dataset("iris")


@pytest.fixture(scope="session")
def wine():
    return load_dataset("wine")


@pytest.fixture
def svc():
    return SVC(kernel="rbf")
