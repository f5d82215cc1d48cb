"""Images in a scikit-learn pipeline: GANAugmenter(image_shape=(1, 8, 8)) on scikit-learn's digits.

The digits are 8x8 images held as 64 columns (values 0..16). In the training split digit 3 keeps
only a few images; the pipeline tops it up with GAN images made from the training split alone, and
a logistic regression is scored on the untouched test split: as it is, with class weights, with the
rare images repeated (random oversampling) and with the GAN top-up. The synthetic 3s are also
judged by ``gan_augment.image_quality`` (a small CNN trained on the real training images).

    python examples/digits_pipeline.py              # about a minute on 2 CPU cores
    python examples/digits_pipeline.py --epochs 2   # a smoke run
"""

from __future__ import annotations

import argparse

import numpy as np
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import recall_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import FunctionTransformer

from gan_augment import GANAugmenter, image_quality

RARE = 3


def rare_digits(keep: int, seed: int):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=seed)
    rare = np.flatnonzero(y_train == RARE)
    drop = np.random.default_rng(seed).choice(rare, size=len(rare) - keep, replace=False)
    train = np.setdiff1d(np.arange(len(y_train)), drop)
    return X_train[train], y_train[train], X_test, y_test


def make_model(augmenter, class_weight=None):
    scale = FunctionTransformer(lambda X: X / 16.0)  # pixels 0..16 -> 0..1 for the linear model
    steps = [augmenter] if augmenter is not None else []
    return make_pipeline(*steps, scale, LogisticRegression(max_iter=2000, class_weight=class_weight))


def main(argv=None):
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--epochs", default="auto", help='GAN epochs (default "auto")')
    parser.add_argument("--keep", type=int, default=8, help=f"training images of digit {RARE} to keep")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)

    X_train, y_train, X_test, y_test = rare_digits(args.keep, args.seed)
    print(f"digits: {len(y_train)} training images, {args.keep} of them {RARE}s; {len(y_test)} test images")
    augmenter = GANAugmenter(image_shape=(1, 8, 8), classes=[RARE], epochs=epochs, random_state=args.seed)
    majority = int(np.bincount(y_train).max())  # the GAN tops the 3s up to it; so does repeating them
    arms = {"no augmentation": make_model(None),
            "class weights": make_model(None, class_weight="balanced"),
            "repeated 3s": make_model(RandomOverSampler(sampling_strategy={RARE: majority}, random_state=args.seed)),
            "GAN top-up": make_model(augmenter)}
    results = {}
    for name, model in arms.items():
        model.fit(X_train, y_train)
        predicted = model.predict(X_test)
        results[name] = {"accuracy": float(np.mean(predicted == y_test)),
                         "rare_recall": float(recall_score(y_test, predicted, labels=[RARE], average="macro"))}
        print(f"{name:>15}: accuracy {results[name]['accuracy']:.3f}  recall of {RARE}: {results[name]['rare_recall']:.3f}")

    # The fitted augmenter inside the pipeline: judge its 3s against the real test 3s.
    fitted = arms["GAN top-up"].steps[0][1]
    synthetic = fitted.sample(200, RARE, random_state=args.seed)
    to_images = lambda X: (X.reshape(-1, 1, 8, 8) / 8.0 - 1.0).astype(np.float32)  # noqa: E731 (0..16 -> -1..1)
    quality = image_quality(to_images(X_train), y_train, to_images(X_test), y_test, to_images(synthetic),
                            np.full(len(synthetic), RARE), epochs=5, random_state=args.seed)
    row = quality.loc[RARE]
    print(f"synthetic {RARE}s judged by a CNN trained on the real images: label fidelity {row['label_fidelity']:.2f}, "
          f"Frechet distance {row['frechet_distance']:.1f} (real images {row['frechet_real']:.1f}, "
          f"blurred {row['frechet_blurred']:.1f})")
    results["quality"] = row.to_dict()
    return results


if __name__ == "__main__":
    main()
