"""A PyTorch MLP on a table with a rare class topped up by ``AugmentedDataset``.

scikit-learn's breast cancer table (30 numeric features; "malignant" and "benign") is split in
half; in the training half "malignant" keeps only a few rows. The features are standardised with
the training statistics and served as float32 tensors. The same MLP, from the same initial weights,
is trained on the plain training set, with what a PyTorch user does anyway (a class-weighted loss;
a WeightedRandomSampler that draws the rare rows as often as the others), and on
``AugmentedDataset(train_set, GANAugmenter(...), classes=["malignant"])``, and scored on the
untouched test half.

    python examples/torch_tabular.py                          # under a minute on 2 CPU cores
    python examples/torch_tabular.py --epochs 2 --mlp-epochs 2   # a smoke run
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, Dataset, WeightedRandomSampler

from gan_augment import GANAugmenter
from gan_augment import AugmentedDataset

RARE = "malignant"


class Rows(Dataset):
    """A table as (row tensor, class name) pairs, as a training script might hold it."""

    def __init__(self, X, names):
        self.X, self.names = torch.from_numpy(X), list(names)

    def __len__(self):
        return len(self.names)

    def __getitem__(self, index):
        return self.X[index], self.names[index]


def rare_table(keep: int, seed: int):
    data = load_breast_cancer()
    names = np.asarray(data.target_names)[data.target]  # "malignant" / "benign"
    X_train, X_test, y_train, y_test = train_test_split(data.data, names, test_size=0.5, stratify=names,
                                                        random_state=seed)
    rare = np.flatnonzero(y_train == RARE)
    drop = np.random.default_rng(seed).choice(rare, size=len(rare) - keep, replace=False)
    train = np.setdiff1d(np.arange(len(y_train)), drop)
    mean, std = X_train[train].mean(0), X_train[train].std(0) + 1e-8
    scale = lambda X: ((X - mean) / std).astype(np.float32)  # noqa: E731
    return Rows(scale(X_train[train]), y_train[train]), Rows(scale(X_test), y_test)


def train(dataset, classes, epochs: int, seed: int, *, balance: str = "") -> nn.Module:
    """The MLP trained on ``dataset``; ``balance``: "" as it is, "weights" a class-weighted loss,
    "sampler" a WeightedRandomSampler drawing every class equally often."""
    torch.manual_seed(seed)  # the same initial weights with and without the top-up
    model = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, len(classes)))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    index = {name: i for i, name in enumerate(classes)}
    generator = torch.Generator().manual_seed(seed)
    if balance:
        labels = torch.tensor([index[name] for name in dataset.names])
        per_class = 1.0 / torch.bincount(labels, minlength=len(classes)).double()
    weight = (per_class / per_class.sum() * len(classes)).float() if balance == "weights" else None
    if balance == "sampler":
        sampler = WeightedRandomSampler(per_class[labels], num_samples=len(labels), generator=generator)
        loader = DataLoader(dataset, batch_size=32, sampler=sampler)
    else:
        loader = DataLoader(dataset, batch_size=32, shuffle=True, generator=generator)
    for _ in range(epochs):
        for x, names in loader:  # the default collate keeps str labels as a list
            y = torch.tensor([index[name] for name in names])
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y, weight=weight).backward()
            optimizer.step()
    return model.eval()


@torch.no_grad()
def score(model, dataset, classes) -> dict:
    predicted = np.asarray(classes)[model(dataset.X).argmax(1).numpy()]
    truth = np.asarray(dataset.names)
    return {"rare_recall": float(recall_score(truth, predicted, labels=[RARE], average="macro")),
            "balanced_accuracy": float(balanced_accuracy_score(truth, predicted))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--epochs", default="auto", help='GAN epochs (default "auto")')
    parser.add_argument("--mlp-epochs", type=int, default=30, help="MLP training epochs")
    parser.add_argument("--keep", type=int, default=10, help=f"training rows of {RARE!r} to keep")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)

    train_set, test_set = rare_table(args.keep, args.seed)
    classes = sorted(set(train_set.names))
    print(f"breast cancer: {len(train_set)} training rows, {args.keep} of them {RARE!r}; {len(test_set)} test rows")
    topped_up = AugmentedDataset(train_set, GANAugmenter(epochs=epochs, random_state=args.seed), classes=[RARE],
                                 random_state=args.seed)
    print(f"AugmentedDataset: {topped_up.n_synthetic} synthetic {RARE!r} rows added; "
          f"class counts {topped_up.class_counts}")

    results = {}
    arms = [("no augmentation", train_set, ""), ("class-weighted loss", train_set, "weights"),
            ("balanced sampler", train_set, "sampler"), ("GAN top-up", topped_up, "")]
    for name, dataset, balance in arms:
        results[name] = score(train(dataset, classes, args.mlp_epochs, args.seed, balance=balance), test_set, classes)
        print(f"{name:>19}: recall of {RARE!r} {results[name]['rare_recall']:.3f}  "
              f"balanced accuracy {results[name]['balanced_accuracy']:.3f}")
    results["n_synthetic"] = topped_up.n_synthetic
    return results


if __name__ == "__main__":
    main()
