"""The one training loop and its hooks."""

from gan_augment.training.callbacks import Callback, Checkpoint, EarlyStopping, ProgressBar, SnapshotSelection
from gan_augment.training.history import History
from gan_augment.training.trainer import GANTrainer

__all__ = ["Callback", "Checkpoint", "EarlyStopping", "GANTrainer", "History", "ProgressBar", "SnapshotSelection"]
