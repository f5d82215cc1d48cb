"""A PyTorch training script with its rare class topped up: a small CNN on scikit-learn's digits.

The digits are 8x8 grayscale images, here (N, 1, 8, 8) float tensors in 0..1, split in half for
training and testing; in the training half digit 3 keeps only a few images. The same CNN, from the
same initial weights, is trained on the plain DataLoader; on what a practitioner does anyway,
repeating the rare images (a balanced WeightedRandomSampler) with classic augmentation
(albumentations: small affine moves; skipped, with a note, when albumentations is not installed);
and on the plain loader wrapped by ``augment_loader``, which fits a class-conditional GAN on the
training half and mixes synthetic 3s in. The per-class recall on the untouched test half is printed.

    python examples/torch_images.py                               # about a minute on 2 CPU cores
    python examples/torch_images.py --epochs 2 --cnn-epochs 1     # a smoke run
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import recall_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset, WeightedRandomSampler

from gan_augment import GANAugmenter
from gan_augment import augment_loader

RARE = 3


def rare_digits(keep: int, seed: int):
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=seed)
    rare = np.flatnonzero(y_train == RARE)
    drop = np.random.default_rng(seed).choice(rare, size=len(rare) - keep, replace=False)
    train = np.setdiff1d(np.arange(len(y_train)), drop)
    as_dataset = lambda X, y: TensorDataset(torch.from_numpy(X), torch.from_numpy(y))  # noqa: E731
    return as_dataset(X_train[train], y_train[train]), as_dataset(X_test, y_test)


class SmallCNN(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, x):
        return self.head(self.features(x))


class Transformed(Dataset):
    """A dataset whose images pass through ``transform`` each time they are drawn."""

    def __init__(self, dataset, transform):
        self.dataset, self.transform = dataset, transform

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, index):
        x, y = self.dataset[index]
        return self.transform(x), y


def repeat_and_classic(train_set, seed: int, workers: int):
    """A loader drawing every class equally often (the rare images repeated), each image moved a
    little by albumentations; None when albumentations is not installed."""
    try:
        from gan_augment.data.albumentations_adapter import AlbumentationsTransform, import_albumentations

        A = import_albumentations()
    except ImportError:
        return None
    moves = AlbumentationsTransform([A.Affine(translate_percent=(-0.08, 0.08), rotate=(-10, 10), scale=(0.9, 1.1),
                                              p=0.8)], seed=seed)
    labels = train_set.tensors[1]
    per_class = 1.0 / torch.bincount(labels).double()
    generator = torch.Generator().manual_seed(seed)
    sampler = WeightedRandomSampler(per_class[labels], num_samples=len(labels), generator=generator)
    return DataLoader(Transformed(train_set, moves), batch_size=64, sampler=sampler, num_workers=workers)


def train(loader, epochs: int, seed: int) -> nn.Module:
    torch.manual_seed(seed)  # the same initial weights with and without the top-up
    model = SmallCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(epochs):
        if hasattr(loader.dataset, "set_epoch"):
            loader.dataset.set_epoch(epoch)  # a fresh synthetic set each epoch with refresh="epoch"
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
    return model.eval()


@torch.no_grad()
def per_class_recall(model, dataset) -> dict:
    x, y = dataset.tensors
    predicted = model(x).argmax(1).numpy()
    recall = recall_score(y.numpy(), predicted, labels=list(range(10)), average=None, zero_division=0)
    return {"accuracy": float(np.mean(predicted == y.numpy())), "recall": dict(enumerate(recall.tolist())),
            "rare_recall": float(recall[RARE])}


def main(argv=None):
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--epochs", default="auto", help='GAN epochs (default "auto")')
    parser.add_argument("--cnn-epochs", type=int, default=15, help="CNN training epochs")
    parser.add_argument("--keep", type=int, default=8, help=f"training images of digit {RARE} to keep")
    parser.add_argument("--refresh", choices=["none", "epoch"], default="epoch",
                        help="draw fresh synthetic images every epoch (default) or once")
    parser.add_argument("--workers", type=int, default=0, help="DataLoader worker processes")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)

    train_set, test_set = rare_digits(args.keep, args.seed)
    print(f"digits: {len(train_set)} training images, {args.keep} of them {RARE}s; {len(test_set)} test images")
    loader = DataLoader(train_set, batch_size=64, shuffle=True, num_workers=args.workers,
                        generator=torch.Generator().manual_seed(args.seed))
    topped_up = augment_loader(loader, GANAugmenter(epochs=epochs, random_state=args.seed), classes=[RARE],
                               refresh=None if args.refresh == "none" else "epoch", random_state=args.seed)
    data = topped_up.dataset
    print(f"augment_loader: {data.n_synthetic} synthetic {RARE}s added; {len(data)} items per epoch")

    loaders = {"no augmentation": loader, "repeat + classic": repeat_and_classic(train_set, args.seed, args.workers),
               "GAN top-up": topped_up}
    if loaders["repeat + classic"] is None:
        print("albumentations is not installed: the repeat + classic arm is skipped "
              '(pip install "gan-augment[albumentations]").')
        del loaders["repeat + classic"]
    results = {name: per_class_recall(train(train_loader, args.cnn_epochs, args.seed), test_set)
               for name, train_loader in loaders.items()}

    print("recall per class on the test half")
    print(f"{'class':>5}" + "".join(f"  {name:>16}" for name in loaders))
    for label in range(10):
        marker = "  <- rare" if label == RARE else ""
        print(f"{label:>5}" + "".join(f"  {results[name]['recall'][label]:>16.3f}" for name in loaders) + marker)
    print(f"{'all':>5}" + "".join(f"  {results[name]['accuracy']:>16.3f}" for name in loaders) + "  (accuracy)")
    results["n_synthetic"] = data.n_synthetic
    return results


if __name__ == "__main__":
    main()
