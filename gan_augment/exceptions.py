"""Errors that gan-augment raises on purpose, each naming what is at fault and what to do."""


class DataValidationError(ValueError):
    """The data given (a column, a file, a class) cannot be used as it is."""


class ModelFileError(ValueError):
    """A saved model or checkpoint is missing, truncated, foreign or was modified."""


class TrainingDivergedError(RuntimeError):
    """Training produced non-finite losses or weights; no model is returned."""


class DistributedError(RuntimeError):
    """A data-parallel run cannot start or go on: no process group, or another process stopped."""


class ModeCollapseWarning(UserWarning):
    """The synthetic samples of a class are far less varied than its real ones (see diversity_)."""


class LowCoverageWarning(UserWarning):
    """A topped-up class's synthetic samples cover much less of it than as many real samples would."""


class SmallClassWarning(UserWarning):
    """A class is topped up from so few real samples that most synthetic ones will be near copies."""


class NothingToAddWarning(UserWarning):
    """A class asked to be topped up to the majority count has it already: no rows are added to it."""
