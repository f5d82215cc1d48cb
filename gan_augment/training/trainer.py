"""GANTrainer: the one training loop, for every data kind and every loss.

It works on tensors and class indices only. Two rules of the design live here:

* Rare classes are not starved: every batch draws its class labels uniformly over the classes,
  then a real row of each drawn class, so a class of 20 rows gets as many G and D updates as a
  class of 20,000.
* Tiny classes do not collapse onto common ones: with ``condition_warmup`` the class condition of
  G and D (their ``condition_strength``) fades in from 0, so all classes first share what they
  have in common; with an augmentation policy every discriminator input is augmented
  differentiably, with an adaptive probability (see :mod:`gan_augment.diffaug`).
* Reproducible: the whole of ``fit`` (and each ``sample`` call) runs inside a forked torch RNG
  seeded from ``random_state``. Every draw -- class labels, row indices, noise, dropout,
  Gumbel noise -- comes from that stream and the caller's global RNG is left untouched. A
  checkpoint stores the stream's state, so an interrupted-then-resumed CPU run ends bit-identical
  to an uninterrupted one.
* Data-parallel when a torch process group is running (``torchrun``): see
  :mod:`gan_augment.training.distributed` for how batches are split and G and D kept in step.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import math
import numbers
import operator
import os
import threading
import time
import warnings

import numpy as np
import torch

from gan_augment._random import check_seed, derive_seed
from gan_augment._warnings import user_stacklevel
from gan_augment.checkpoint import check_state_values, load_state, save_state
from gan_augment.config import TrainingConfig, config_from_dict, config_to_dict
from gan_augment.diffaug import AdaptiveProbability, augment, parse_policy
from gan_augment.exceptions import CheckpointMismatchError, ModelFileError, TrainingDivergedError
from gan_augment.losses import get_loss, real_mode_seeking_ratio
from gan_augment.training.distributed import ProcessGroup, is_main_process, local_device, local_process_count, \
    resolve_process_group
from gan_augment.training.history import History

# A loss beyond this magnitude means the game has blown up even if it is still finite.
_DIVERGENCE_LIMIT = 1e6
# Batches of generated images over which batch-norm statistics are re-estimated after training.
_BATCHNORM_CALIBRATION_BATCHES = 32
# The stream of each process's own draws in a data-parallel run: derive_seed(seed, this, rank).
_LOCAL_STREAM = 0x10CA1
# Rows generated per forward pass when sampling: small enough that the activations (2048 x 256
# floats) stay near the cache, large enough that per-call overhead is small. On Adult, one thread:
# 4096 was ~20% faster than 8192 on an older 2-core machine, where smaller chunks gained nothing;
# on an AMD EPYC with AVX-512, 2048 made 6% more rows per CPU-second than 4096, and 1024 no more
# than 2048 (benchmarks/SPEED.md, "Sampling settings"). The rows a seed gives depend on it.
_SAMPLE_CHUNK = 2048


# n_threads="auto": at most this many torch threads. The tabular MLP's matmuls are small (500 x 256):
# beyond a few threads the OpenMP barriers cost more than the work they split.
_AUTO_THREADS_CAP = 4


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, which containers and ``taskset`` narrow)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def resolve_threads(n_threads="auto") -> int:
    """The number of torch threads ``n_threads`` stands for.

    An int is taken as given. ``"auto"``: the usable cores, at most ``_AUTO_THREADS_CAP`` and at
    most ``OMP_NUM_THREADS`` where the environment sets it, and 1 when the 1-minute load average
    says the cores are already taken (load >= usable cores), decided at the first "auto" of the
    process and kept for the rest of it. On a
    busy machine torch's default of one thread per core makes every parallel op wait at a barrier
    for a thread that is not running: measured 1.5-16x slower than one thread
    (benchmarks/SPEED.md), whereas one thread never loses more than the parallel share.
    """
    if n_threads != "auto":
        if isinstance(n_threads, bool) or not isinstance(n_threads, numbers.Integral) or n_threads < 1:
            raise ValueError(f"n_threads must be 'auto' or a positive int, got {n_threads!r}.")
        return int(n_threads)
    return _auto_threads()


@functools.lru_cache(maxsize=1)
def _auto_threads() -> int:
    # Decided once per process: a count that followed the load from one fit to the next would make
    # two fits with the same seed in one session differ (results are identical per thread count).
    cores = usable_cores()
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        load = 0.0
    if load >= cores:
        return 1
    # Whoever set OMP_NUM_THREADS (a job scheduler, joblib, the user running processes side by
    # side) has shared the cores out already: more threads than that would oversubscribe them.
    limit = os.environ.get("OMP_NUM_THREADS", "").strip()
    cap = min(_AUTO_THREADS_CAP, int(limit)) if limit.isdigit() and int(limit) > 0 else _AUTO_THREADS_CAP
    return max(1, min(cores, cap))


#: ``torch.set_num_threads`` sets the calling thread's count and the one every thread started later
#: begins with. Blocks open in several threads at once (fits from a thread pool) each put back the
#: count their thread began with, which another block had set: threads started afterwards kept it.
#: The first block to open saves the count; the last to close puts it back.
_THREADS_LOCK = threading.Lock()
_threads_state = {"open": 0, "before": None}


@contextlib.contextmanager
def torch_threads(n_threads="auto"):
    """Run a block with ``resolve_threads(n_threads)`` torch threads; the caller's setting is
    restored afterwards (see ``_THREADS_LOCK``)."""
    wanted = resolve_threads(n_threads)
    with _THREADS_LOCK:
        before = torch.get_num_threads()
        if _threads_state["open"] == 0:
            _threads_state["before"] = before
        _threads_state["open"] += 1
        if wanted != before:
            torch.set_num_threads(wanted)
    try:
        yield wanted
    finally:
        with _THREADS_LOCK:
            _threads_state["open"] -= 1
            if _threads_state["open"] == 0:  # every thread's blocks closed: as before the first opened
                torch.set_num_threads(_threads_state["before"])
            elif torch.get_num_threads() != before:
                torch.set_num_threads(before)


#: torch's random generator, default dtype and float32 matmul precision are the process's: two
#: blocks that seed, set or restore them, running at once in two threads (sample() from a thread
#: pool, fits under joblib's threading backend), would draw from each other's seeds and restore
#: each other's settings (a thread left the caller's "medium" precision at "highest", another built
#: float64 modules). They take turns; reentrant, as a fit samples.
_RNG_LOCK = threading.RLock()


@contextlib.contextmanager
def grad_enabled():
    """Run a block with gradients on, whatever the caller's mode: a fit inside ``torch.no_grad()`` or
    ``torch.inference_mode()`` (an evaluation loop, a framework's hook) failed with torch's "element
    0 of tensors does not require grad"."""
    with torch.inference_mode(False), torch.enable_grad():
        yield


@contextlib.contextmanager
def torch_defaults():
    """Run a block under the torch defaults this library's modules and draws are written for,
    whatever the caller set, one thread at a time (see ``_RNG_LOCK``); the caller's settings are
    restored afterwards (and left untouched where they are the defaults already):

    * float32 as the default dtype: under a caller's float64 default, modules were built and noise
      drawn in float64 beside float32 data ("mat1 and mat2 must have the same dtype"), and a loaded
      model sampled other rows than under the float32 default;
    * the CPU as the default device: under a caller's ``torch.set_default_device``, the rows that
      sampling gathers on the CPU were made there ("can't convert meta device type tensor to numpy");
    * autocast off: a caller's ``torch.autocast`` trained and sampled in bfloat16 under
      ``precision="float32"`` (a ``precision="bf16"`` fit enters its own autocast inside the block).
    """
    with _RNG_LOCK, contextlib.ExitStack() as stack:
        before = torch.get_default_dtype()
        if before != torch.float32:
            torch.set_default_dtype(torch.float32)
            stack.callback(torch.set_default_dtype, before)
        get_default_device = getattr(torch, "get_default_device", None)  # torch 2.3 and later
        if get_default_device is not None and get_default_device().type != "cpu":
            stack.enter_context(torch.device("cpu"))  # only then: it routes every torch call through Python
        stack.enter_context(torch.autocast("cpu", enabled=False))
        if torch.cuda.is_available():  # (torch warns of an autocast for a device it does not have)
            stack.enter_context(torch.autocast("cuda", enabled=False))
        yield


def _callback_keys(callbacks) -> list[str]:
    """Where each callback's state lives in a checkpoint: its class and how many of that class
    come before it (``SnapshotSelection#0``), so that adding or dropping a callback of another
    class (a user's) on resume does not lose the state of the rest."""
    seen: dict[str, int] = {}
    keys = []
    for callback in callbacks:
        name = type(callback).__name__
        keys.append(f"{name}#{seen.get(name, 0)}")
        seen[name] = seen.get(name, 0) + 1
    return keys


def _position_key(position: int, callback) -> str:
    """The key of checkpoints written before :func:`_callback_keys`: position and class."""
    return f"{position}:{type(callback).__name__}"


def _callback_state(callback) -> dict:
    state_dict = getattr(callback, "state_dict", None)  # callbacks need not subclass Callback
    if state_dict is None:
        return {}
    state = state_dict()
    if not isinstance(state, dict):
        raise TypeError(f"{type(callback).__name__}.state_dict() returned {type(state).__name__}; it must return a "
                        "dict (of what load_state_dict takes back).")
    return dict(state)


def _whole_number(value, name: str) -> int:
    """``value`` as an int >= 0: a Python or numpy int, or a 0-d integer tensor or array (a class
    of ``y.unique()``); a bool, a fraction or None is refused, naming ``name``."""
    boolean = isinstance(value, (bool, np.bool_)) or (isinstance(value, torch.Tensor) and value.dtype == torch.bool)
    try:
        number = None if boolean else operator.index(value)
    except TypeError:  # a fraction, None, text
        number = None
    if number is None or number < 0:
        raise ValueError(f"{name} must be a whole number >= 0, got {value!r}.")
    return number


def _class_indices(y) -> torch.Tensor:
    """``y`` as the long tensor of class indices the trainer draws by; refused where a cast would
    read it as other classes (0.5 and 1.5 trained as classes 0 and 1) or it is not one per row."""
    y = torch.as_tensor(y)
    if y.dim() != 1:
        how = "y.reshape(-1)" if y.dim() == 2 and 1 in y.shape else "from one-hot labels: y.argmax(1)"
        raise ValueError(f"y must hold one class index per row (1-D); got shape {tuple(y.shape)} ({how}).")
    if y.is_complex() or (y.is_floating_point() and not torch.equal(y, y.round())):
        raise ValueError("y must hold whole class indices 0..K-1; it holds fractions or missing values "
                         f"(e.g. {y[y != y.round()][0].item() if not y.is_complex() else y[0].item()}).")
    return y.to(torch.long)


def _set_requires_grad(params: list, flag: bool) -> None:
    for param in params:
        param.requires_grad_(flag)


def _check_count_field(name: str, value, minimum: int = 0) -> None:
    """A whole-number field of a checkpoint, or the ValueError that says it was damaged."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} {value!r} is not a whole number >= {minimum}")


def _checked_callback_state(callback) -> dict:
    """:func:`_callback_state`, refused, naming the callback, where a checkpoint cannot store it."""
    state = _callback_state(callback)
    check_state_values(state, f"{type(callback).__name__}.state_dict()")
    return state


def _check_record(record: dict, callback) -> None:
    """Numpy numbers that ``callback`` wrote into the epoch's record, made the Python numbers a model
    file holds (np.float32(0.5): 0.5); anything else a model file cannot hold, refused now, naming
    the callback: not when the model is saved, nor (with a checkpoint) when the epochs trained are lost."""
    for key, value in record.items():
        record[key] = _plain_numbers(value)
    check_state_values(record, f"After epoch {record['epoch']}, {type(callback).__name__}.on_epoch_end's record")


def _plain_numbers(value):
    """``value`` with numpy numbers and bools made Python's, in lists, tuples and dicts too (a
    numpy date or text is left as written, for the check to name)."""
    if isinstance(value, (np.number, np.bool_)):
        return value.item()
    if type(value) in (list, tuple):  # (a namedtuple is left to the check)
        return type(value)(map(_plain_numbers, value))
    if isinstance(value, dict):  # keys too: per-class scores keyed by np.unique(y)
        return {_plain_numbers(key): _plain_numbers(item) for key, item in value.items()}
    return value


def _end_all(callbacks: list, trainer, *, failing: bool = False) -> None:
    """Every begun callback's ``on_train_end``, also after one of them raises (a user's callback
    raising there left the progress bar, ended after it, drawing from a thread of its own with
    ``sys.stdout`` replaced); the first error is raised once all have run, unless training is
    ``failing``: the error that ended it is the one the caller gets (a Ctrl-C or a divergence came
    back as EarlyStopping's KeyError for a key no epoch had recorded yet)."""
    error = None
    for callback in callbacks:
        try:
            callback.on_train_end(trainer)
        except BaseException as exc:  # a second Ctrl-C during the clean-up too
            error = error or exc
    if error is not None and not failing:
        raise error


@contextlib.contextmanager
def float32_matmul_precision(precision: str, device: torch.device):
    """Run a block with the float32 matrix-product precision that ``precision`` asks for
    (:attr:`TrainingConfig.precision`); torch's global settings are restored afterwards."""
    medium, cuda = precision == "medium", device.type == "cuda"
    with _RNG_LOCK:  # one thread at a time (see _RNG_LOCK)
        legacy_matmul, legacy_cudnn, flags = before = _precision_state()
        if legacy_matmul is not None:  # set through torch's older calls, which then read right inside the block
            torch.set_float32_matmul_precision("medium" if medium else "highest")
        else:  # the caller set torch 2.9's per-backend flags, after which the older calls raise
            _set_precisions({("mkldnn", "matmul"): "bf16" if medium else "ieee",
                             ("cuda", "matmul"): "tf32" if medium else "ieee"})
        if cuda:  # torch lets cuDNN convolutions use TF32 by default: not in "float32"
            if legacy_cudnn is not None:
                torch.backends.cudnn.allow_tf32 = medium
            else:
                _set_precisions({("cudnn", "conv"): "tf32" if medium else "ieee"})
        if flags:  # a caller's reduced-precision CPU convolutions too
            _set_precisions({("mkldnn", "conv"): "ieee"})
        try:
            yield
        finally:
            _restore_precision(*before)


#: torch 2.9's per-backend float32 precision flags (torch.backends.<backend>.<operation>.fp32_precision).
_PRECISION_FLAGS = (("mkldnn", "matmul"), ("mkldnn", "conv"), ("cuda", "matmul"), ("cudnn", "conv"), ("cudnn", "rnn"))


def _precision_state() -> tuple:
    """``(matmul precision, cuDNN TF32, {flag: value})`` as torch's older calls and its per-backend
    flags read them; an older call's value is None where it raises (a caller mixed the two APIs),
    the flags are empty before torch 2.9."""
    def legacy(read):
        try:
            return read()
        except RuntimeError:
            return None

    flags = {}
    if hasattr(getattr(torch.backends.mkldnn, "matmul", None), "fp32_precision"):
        flags = {key: _precision_flags(*key).fp32_precision for key in _PRECISION_FLAGS}
    return (legacy(torch.get_float32_matmul_precision), legacy(lambda: torch.backends.cudnn.allow_tf32), flags)


def _restore_precision(matmul, cudnn_tf32, flags) -> None:
    """Put back what :func:`_precision_state` read: the older calls' values, then every flag as it
    was, "none" included (the older calls pin them all, so a caller's later generic setting would no
    longer reach them)."""
    if matmul is not None:
        torch.set_float32_matmul_precision(matmul)
    if cudnn_tf32 is not None:
        torch.backends.cudnn.allow_tf32 = cudnn_tf32
    _set_precisions(flags)


def _precision_flags(backend: str, operation: str):
    """torch.backends.<backend>.<operation>, whose ``fp32_precision`` is the setting."""
    return getattr(getattr(torch.backends, backend), operation)


def _set_precisions(values: dict) -> None:
    for key, value in values.items():
        _precision_flags(*key).fp32_precision = value


def resolve_device(device) -> torch.device:
    if device is None or device == "auto":
        if not torch.cuda.is_available():
            return torch.device("cpu")
        processes, n_gpus = local_process_count(), torch.cuda.device_count()
        if processes <= n_gpus:
            return torch.device("cuda")
        # More torchrun processes than GPUs: NCCL cannot share a GPU between them, the CPU works.
        if is_main_process():
            warnings.warn(f"device='auto': torchrun started {processes} processes on this machine, which has "
                          f"{n_gpus} GPU(s), so they train on the CPU. Start one process per GPU (torchrun "
                          f"--nproc-per-node {n_gpus}) to train on the GPUs.", UserWarning,
                          stacklevel=user_stacklevel())
        return torch.device("cpu")
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):  # "gpu", "tpu": torch's message lists two dozen device types
        hint = " (a GPU is 'cuda' in torch)" if str(device).lower().startswith("gpu") else ""
        raise ValueError(f"device={device!r} is not a torch device{hint}; use 'auto', 'cpu', 'cuda' or "
                         "'cuda:N'.") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={str(device)!r} was asked for but CUDA is not available; use 'cpu' or 'auto'.")
    if device.type == "meta":  # tensors without data: every fit would fail inside torch, after the data is read
        raise ValueError("device='meta' holds no data and cannot train or sample; use 'cpu', 'cuda' or 'auto'.")
    if device.type not in ("cpu", "cuda"):
        try:  # mps, xpu, ...: whether this torch build and machine have one, before any work
            torch.empty(0, device=device)
        except (RuntimeError, AssertionError):
            raise ValueError(f"device={str(device)!r} is not available in this torch build or on this machine; "
                             "use 'cpu' or 'auto'.") from None
    return device


@contextlib.contextmanager
def seeded_rng(seed: int, device: torch.device):
    """Run a block on a private copy of torch's RNG, seeded with ``seed`` (one thread at a time)."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with _RNG_LOCK, torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


@torch.no_grad()
def generate(generator, n: int, class_index: int, *, seed: int) -> torch.Tensor:
    """``n`` rows of class ``class_index`` from ``generator``, on the CPU.

    Label-exact and O(n): the class is the generator's condition, never a filter, so a rare class
    costs what a common one costs. Chunks keep memory flat for large ``n``.
    """
    if not 0 <= class_index < generator.n_classes:
        raise ValueError(f"class_index must lie in [0, {generator.n_classes}), got {class_index}.")
    device = next(generator.parameters()).device
    was_training = generator.training
    generator.eval()
    out = None
    try:
        with seeded_rng(seed, device):
            for start in range(0, max(n, 1), _SAMPLE_CHUNK):
                # n = 0 still runs one row for the output's shape: a batch of none fails in
                # instance norm (the translator's generator).
                size = min(_SAMPLE_CHUNK, n - start) if n else 1
                z = torch.randn(size, generator.noise_dim, device=device)
                labels = torch.full((size,), class_index, dtype=torch.long, device=device)
                rows = generator(z, labels)
                if out is None:
                    # Filled in place: concatenating a list of chunks would copy every row again.
                    # Page-locked when the rows come from a GPU, so that each chunk's copy runs
                    # while the next chunk is generated.
                    out = torch.empty((n, *rows.shape[1:]), dtype=rows.dtype, pin_memory=device.type == "cuda")
                out[start:start + size].copy_(rows[:n - start], non_blocking=True)
            if device.type == "cuda":
                torch.cuda.synchronize(device)  # every copy landed before the rows are read
    finally:
        generator.train(was_training)
    assert out is not None  # the loop runs at least once, also for n = 0
    return out


class GANTrainer:
    """Trains ``generator(z, y)`` against ``discriminator(x, y)``.

    Parameters
    ----------
    generator, discriminator : nn.Module
        ``generator`` must expose ``noise_dim`` and ``n_classes``; a packing discriminator exposes
        ``pac`` (batches are then a multiple of it).
    config : TrainingConfig
    device : "auto", "cpu", "cuda" or torch.device
    callbacks : sequence of Callback
    random_state : int, RandomState, Generator or None
        Seeds everything the trainer draws: an int in [0, 2**32), or a numpy RandomState or
        Generator (drawn from once). None draws a seed from fresh entropy.
    distributed : "auto", bool or ProcessGroup
        Train data-parallel over a torch process group (:mod:`gan_augment.training.distributed`):
        "auto" when one is running or ``torchrun`` started several processes, True to insist,
        False never. ``config.batch_size`` is the global batch, split evenly over the processes.

    Attributes (after fit)
    ----------------------
    history_ : History
    epoch_ : int, epochs completed
    n_epochs_ : int, epochs planned
    generator_ema_ : nn.Module or None, the EMA copy of the generator, used for sampling
    loss_ : GANLoss, the objective named by ``config.loss`` with its penalty / after-step hooks
    """

    def __init__(self, generator, discriminator, config: TrainingConfig | None = None, *, device="auto",
                 callbacks=(), random_state=None, distributed="auto"):
        self.generator = generator
        self.discriminator = discriminator
        self.config = config if config is not None else TrainingConfig()
        self.device = device
        self.callbacks = list(callbacks)
        self.random_state = random_state
        self.distributed = distributed

    # ================================================================== public
    def fit(self, X: torch.Tensor, y: torch.Tensor, *, resume_from=None) -> "GANTrainer":
        """Train on rows ``X`` (float, first axis = samples) with class indices ``y``."""
        # Checked as everywhere else (an int in [0, 2**32)): 1.7 and "1" were read as 1, and 2**40
        # trained as 0 (torch keeps the low 32 bits).
        seed = check_seed(self.random_state) if self.random_state is not None else None
        y = _class_indices(y)
        if X.shape[0] != y.shape[0] or X.shape[0] == 0:
            raise ValueError(f"X has {X.shape[0]} rows and y {y.shape[0]}; both must be equal and non-zero.")
        if X.is_floating_point() and not torch.isfinite(X).all():
            # Else an epoch trained and its losses were reported as a divergence of the learning rates.
            raise ValueError(f"X holds {int((~torch.isfinite(X)).sum())} NaN or infinite values; the trainer needs "
                             "finite rows (encode missing values first, as GANAugmenter does).")
        if int(y.min()) < 0 or int(y.max()) >= self.generator.n_classes:
            raise ValueError(f"Class indices must lie in [0, {self.generator.n_classes}).")
        self._check_interface(X)
        device = resolve_device(self.device)
        self.group_ = self.distributed if isinstance(self.distributed, ProcessGroup) \
            else resolve_process_group(self.distributed, device)
        self.device_ = local_device(device, self.group_)
        with grad_enabled(), torch_defaults():
            return self._fit(X, y, resume_from, seed)

    def _check_interface(self, X) -> None:
        """What the trainer reads off the modules and the config, checked before any callback
        begins (a missing noise_dim, pac=0, or augmentation of rows failed inside the first step)."""
        for module, name, default in ((self.generator, "noise_dim", None), (self.discriminator, "pac", 1)):
            value = getattr(module, name, default)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"The {'generator' if name == 'noise_dim' else 'discriminator'} must expose {name}, a "
                                 f"whole number >= 1; {type(module).__name__}.{name} is {value!r}.")
        if not any(param.requires_grad for param in self.discriminator.parameters()):
            raise ValueError(f"The discriminator ({type(self.discriminator).__name__}) has no parameter to train "
                             "(none, or every one with requires_grad=False); leave at least one trainable.")
        if parse_policy(self.config.augment) and X.dim() != 4:  # ("" is no augmentation)
            raise ValueError(f"TrainingConfig(augment={self.config.augment!r}) augments images (N, C, H, W); X has "
                             f"shape {tuple(X.shape)}. Use augment=None for rows.")

    def _fit(self, X, y, resume_from, seed):
        group = self.group_
        seed = seed if seed is not None else np.random.SeedSequence().generate_state(1)[0]
        self.seed_ = int(group.broadcast_object(int(seed)))  # one seed for all processes, even when drawn
        X, y = X.detach().to(self.device_, torch.float32), y.to(self.device_)  # (no gradients into the caller's X)
        if X.is_inference():  # made in the caller's inference mode: not a tensor autograd may save
            X = X.clone()
        self._init_sampler(y)
        self.n_epochs_ = self.config.resolve_epochs(self.steps_per_epoch_)
        # One process: every draw from one stream. Several: the batches from a stream all share,
        # the draws inside a step from one of each process's own (see training.distributed).
        self.shared_rng_ = None
        local_seed = self.seed_
        if group.active:
            self.shared_rng_ = torch.Generator(device=self.device_)
            self.shared_rng_.manual_seed(self.seed_)
            local_seed = derive_seed(self.seed_, _LOCAL_STREAM, group.rank)
        with seeded_rng(local_seed, self.device_), float32_matmul_precision(self.config.precision, self.device_):
            self._initialize(X, y)
            if resume_from is not None:
                # Before on_train_begin, so that the callbacks' restored state (e.g. EarlyStopping's
                # patience count) is what they begin with.
                self._restore(load_state(resume_from, kind="checkpoint", device=self.device_), resume_from)
            self.stop_training = False
            callbacks = self._ordered_callbacks()
            begun = []  # a callback refusing to begin (e.g. Checkpoint's folder check) ends those begun
            try:
                stopper = None
                for callback in callbacks:
                    callback.on_train_begin(self)
                    begun.append(callback)
                    stopper = stopper or (type(callback).__name__ if self.stop_training else None)
                if self.epoch_ == 0 and group.any_process(self.stop_training):
                    # Its untrained networks were returned as a fitted model, and sampled noise.
                    raise RuntimeError(f"{stopper or 'A callback of another process'} set stop_training in "
                                       "on_train_begin, before the first epoch: the networks would have learnt "
                                       "nothing. Stop training in on_epoch_end, after an epoch.")
                while self.epoch_ < self.n_epochs_ and not self.stop_training:
                    record = self._run_epoch(X)
                    self.history_.append(record)
                    for callback in callbacks:
                        callback.on_epoch_end(self, record)
                        _check_record(record, callback)
                    # A stop one process decided (its own clock, its own shard's metric) stops them
                    # all: the others waited in the next epoch's first all-reduce until it timed out.
                    # (Not after each callback: a process may run callbacks of its own, the progress
                    # bar on the first; Checkpoint agrees on it itself, and SnapshotSelection rates
                    # the epoch a stop ended at the end of training.)
                    self.stop_training = group.any_process(self.stop_training)
            except BaseException:
                # Not a stop: callbacks that act on one at the end (SnapshotSelection's last rating,
                # the progress line) must not, when an error or Ctrl-C ends training.
                self.stop_training = False
                _end_all(begun, self, failing=True)
                raise
            _end_all(begun, self)
            # After on_train_end, which may have put other weights in the sampling generator
            # (SnapshotSelection), so that it samples at full condition and calibrated.
            self._set_condition_strength(1.0)
            self._calibrate_batchnorm(self.sampling_generator)
            # Equal already but for per-process batch-norm statistics: rank 0's for everyone.
            for module in (self.generator, self.generator_ema_, self.discriminator):
                if module is not None:
                    group.broadcast_module(module)
        return self

    def sample(self, n: int, class_index: int, *, seed: int) -> torch.Tensor:
        """``n`` generated rows of class ``class_index`` from the EMA generator (see :func:`generate`)."""
        # Checked as fit checks random_state: a seed of 2**32 + 5 drew seed 5's rows, 1.5 class 1's.
        n, class_index, seed = (_whole_number(value, name) for name, value in
                                (("n", n), ("class_index", class_index), ("seed", seed)))
        if seed >= 2**32:
            raise ValueError(f"seed must be a whole number in [0, 2**32), got {seed}.")
        return generate(self.sampling_generator, n, class_index, seed=seed)

    @property
    def sampling_generator(self):
        ema = getattr(self, "generator_ema_", None)
        return ema if ema is not None else self.generator

    def save_checkpoint(self, directory, *, metadata: dict | None = None) -> None:
        """Write everything needed to resume bit-identically (weights, optimizers, EMA, RNG, epoch,
        callbacks' state); ``metadata``: JSON values kept with it.

        In a data-parallel run every process calls this (each one's random stream is gathered) and
        rank 0 alone writes."""
        if metadata is not None:
            check_state_values(metadata, "metadata")  # named, not JSON's "int64 is not JSON serializable"
        local = self.group_.gather_objects(self._local_state())
        if not self.group_.is_main:
            return
        state = {
            "metadata": metadata,
            "config": config_to_dict(self.config),
            "seed": self.seed_,
            "epoch": self.epoch_,
            "step": self.step_,
            "history": self.history_.to_json(),
            "generator": self.generator.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "generator_ema": self.generator_ema_.state_dict() if self.generator_ema_ is not None else None,
            "optimizer_g": self.optimizer_g_.state_dict(),
            "optimizer_d": self.optimizer_d_.state_dict(),
            "augment_p": local[0]["augment_p"],
            "rng_cpu": local[0]["cpu"],
            "rng_cuda": local[0]["cuda"],
            "world_size": self.group_.world_size,
            "class_pack": self._class_pack(),
            "rng_shared": self.shared_rng_.get_state() if self.shared_rng_ is not None else None,
            # Each process's own stream and augmentation tally (only rank 0's with one process).
            "ranks": local if self.group_.active else None,
            # Checked again here, not only when training began: a state may take a value a
            # checkpoint cannot store later (an np.int64 count), and JSON's words name no callback.
            "callbacks": {key: _checked_callback_state(callback)
                          for key, callback in zip(_callback_keys(self.callbacks), self.callbacks)},
        }
        save_state(directory, state, kind="checkpoint")

    def check_callback_states(self) -> None:
        """Refuse, naming the callback, a state a checkpoint cannot store (checked when training
        begins: at the first checkpoint, epochs later, the run would be lost)."""
        for callback in self.callbacks:
            _checked_callback_state(callback)

    # ================================================================== internals
    def _local_state(self) -> dict:
        """What differs between the processes of a data-parallel run: their own random streams and
        the augmentation tally since its last all-reduce."""
        return {"cpu": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state(self.device_) if self.device_.type == "cuda" else None,
                "augment_p": self.augment_p_.state_dict() if self.augment_p_ is not None else None}

    def _initialize(self, X, y):
        self.generator.to(self.device_).train()
        self.discriminator.to(self.device_).train()
        for module in (self.generator, self.discriminator):  # models built apart start alike
            self.group_.broadcast_module(module)
        self.pac_ = getattr(self.discriminator, "pac", 1)
        # The mode-seeking term stops pushing once samples are as spread as the real rows; the cap
        # is read off the data without random draws, so a resumed fit finds the same one.
        cap = real_mode_seeking_ratio(X, y) if self.config.mode_seeking_weight > 0 else None
        self.loss_ = get_loss(self.config.loss, self.config, mode_seeking_cap=cap)
        # A generator with an objective of its own (the translator's cycle and identity terms)
        # says so with ``extra_generator_loss(fake, z, y)``, added to the adversarial loss.
        self.generator_terms_ = getattr(self.generator, "extra_generator_loss", None)
        self.optimizer_g_ = self._make_optimizer(self.generator.parameters(), self.config.lr_g)
        # The critic's parameters it is to train: one the caller froze (a pretrained part) was
        # switched on by the steps' toggles, trained, and clamped by weight clipping.
        self.trainable_d_ = [param for param in self.discriminator.parameters() if param.requires_grad]
        self.optimizer_d_ = self._make_optimizer(self.trainable_d_, self.config.lr_d)
        self.generator_ema_ = None
        if self.config.ema_decay is not None:
            self.generator_ema_ = copy.deepcopy(self.generator).eval().requires_grad_(False)
        # Exact shortcuts, taken only for models that declare rows independent of their batch and of
        # the number of calls (no batch norm, no spectral-norm power iteration per call): the
        # tabular pair. Same distributions; the random stream is consumed in another order.
        self.batched_fakes_ = bool(getattr(self.generator, "batch_independent", False))
        self.joint_d_ = bool(getattr(self.discriminator, "batch_independent", False))
        # Forward passes only; backward passes run in the types autocast recorded.
        self.autocast_ = functools.partial(torch.autocast, self.device_.type, dtype=torch.bfloat16,
                                           enabled=self.config.precision == "bf16")
        self.epoch_, self.step_ = 0, 0
        self.history_ = History()
        self.augment_policy_ = parse_policy(self.config.augment)
        self.augment_p_ = None
        if self.augment_policy_:
            adaptive = self.config.augment_p == "adaptive"
            self.augment_p_ = AdaptiveProbability(
                target=self.config.ada_target, max_p=self.config.ada_max_p,
                p=0.0 if adaptive else float(self.config.augment_p), adaptive=adaptive,
                reduce=self.group_.mean,
            )

    def _restore(self, state, path):
        try:
            self._restore_state(state, path)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, RuntimeError) as error:
            if isinstance(error, ModelFileError):  # the refusals below, and a callback's (EarlyStopping's)
                raise
            # A checkpoint of the older format holds no checksum of its JSON: an edit shows here
            # (RuntimeError: weights of other names or shapes).
            raise ModelFileError(
                f"The checkpoint in {path} could not be read ({type(error).__name__}: {error}); it is damaged or "
                "was edited. Delete it to start afresh, or resume from an intact copy.") from error

    def _restore_state(self, state, path):
        saved = config_from_dict(TrainingConfig, state["config"])
        if saved != self.config:
            before, now = config_to_dict(saved), config_to_dict(self.config)
            differ = ", ".join(f"{key} {before[key]!r} in the checkpoint, {now[key]!r} now"
                               for key in before if before[key] != now[key])
            raise CheckpointMismatchError(lambda spelling: (
                f"The checkpoint in {path} was written with a different training configuration ({differ}); resume "
                "with the same one."))
        saved_world = state.get("world_size", 1)  # checkpoints older than data-parallel runs: 1
        _check_count_field("world_size", saved_world, minimum=1)
        if saved_world != self.group_.world_size:  # a fact of the checkpoint file, as its other refusals
            raise ModelFileError(
                f"The checkpoint was written by a run on {saved_world} process(es); this one has "
                f"{self.group_.world_size}. Resume with {saved_world} (e.g. torchrun --nproc-per-node "
                f"{saved_world}), or start afresh in an empty folder.")
        # Checkpoints written before the trainer recorded how it draws classes do not say: most drew
        # them row by row, those written just before one class per pack as now.
        saved_pack, pack = state.get("class_pack"), self._class_pack()
        if saved_pack is not None:
            _check_count_field("class_pack", saved_pack, minimum=1)
        if saved_pack != pack and not (saved_pack is None and pack == 1):
            drawn = ("does not record how its batches' classes were drawn (an earlier gan-augment: most versions "
                     "drew them row by row)" if saved_pack is None else
                     "drew a class for each row of a batch" if saved_pack == 1 else
                     f"drew one class per {saved_pack} rows of a batch")
            now = "a class for each row" if pack == 1 else f"one class per critic pack of {pack} rows"
            raise ModelFileError(
                f"The checkpoint in {path} {drawn}; this one draws {now}, so "
                "continuing could give a model that no version trains. Start afresh (delete the checkpoint or "
                "choose another folder), or resume with the version that wrote it.")
        epoch, step = state["epoch"], state["step"]
        _check_count_field("epoch", epoch)
        if epoch > self.n_epochs_ or step != epoch * self.steps_per_epoch_:  # each epoch runs its steps in full
            raise ValueError(f"epoch {epoch!r} and step {step!r} are not a point of a run of {self.n_epochs_} epochs "
                             f"of {self.steps_per_epoch_} steps")
        self.generator.load_state_dict(state["generator"])
        self.discriminator.load_state_dict(state["discriminator"])
        if self.generator_ema_ is not None:
            self.generator_ema_.load_state_dict(state["generator_ema"])
        self.optimizer_g_.load_state_dict(state["optimizer_g"])
        self.optimizer_d_.load_state_dict(state["optimizer_d"])
        self.epoch_, self.step_ = epoch, step
        self.history_ = History.from_json(state["history"])
        local = state["ranks"][self.group_.rank] if self.group_.active else \
            {"cpu": state["rng_cpu"], "cuda": state["rng_cuda"], "augment_p": state["augment_p"]}
        if self.augment_p_ is not None:
            self.augment_p_.load_state_dict(local["augment_p"])
        torch.set_rng_state(local["cpu"].cpu())
        if local["cuda"] is not None and self.device_.type == "cuda":
            torch.cuda.set_rng_state(local["cuda"].cpu(), self.device_)
        if self.shared_rng_ is not None:
            self.shared_rng_.set_state(state["rng_shared"].cpu())
        # Checkpoints written before callbacks had state have no "callbacks" key; a callback of
        # which the checkpoint holds no state starts afresh.
        saved_callbacks = state.get("callbacks") or {}
        for i, (key, callback) in enumerate(zip(_callback_keys(self.callbacks), self.callbacks)):
            saved = saved_callbacks.get(key, saved_callbacks.get(_position_key(i, callback)))
            if saved is not None and hasattr(callback, "load_state_dict"):
                callback.load_state_dict(saved)

    def _ordered_callbacks(self) -> list:
        """The callbacks in the order they run: by their ``order`` (0 unless set), then as given.
        Checkpoint runs last so that what it saves includes what the others did that epoch."""
        return sorted(self.callbacks, key=lambda callback: getattr(callback, "order", 0))

    def _make_optimizer(self, params, lr):
        cfg = self.config
        if cfg.optimizer == "adam":
            # Fused: one kernel for all parameters instead of a dozen small ops per tensor; 1.04x
            # per tabular step on CPU (benchmarks/SPEED.md). The same update, rounded differently.
            fused = self.device_.type in ("cpu", "cuda")
            return torch.optim.Adam(params, lr=lr, betas=tuple(cfg.betas), weight_decay=cfg.weight_decay,
                                    fused=fused or None)
        if cfg.optimizer == "rmsprop":
            return torch.optim.RMSprop(params, lr=lr, weight_decay=cfg.weight_decay)
        return torch.optim.SGD(params, lr=lr, weight_decay=cfg.weight_decay)

    def _init_sampler(self, y):
        """Index structures for class-balanced draws in O(batch) time."""
        self.classes_present_, counts = torch.unique(y, return_counts=True)
        self.class_counts_ = counts
        self.class_starts_ = torch.cumsum(counts, 0) - counts
        self.rows_by_class_ = torch.argsort(y, stable=True)
        # The global batch: a multiple of the packing size on every process.
        pac = getattr(self.discriminator, "pac", 1)
        unit = pac * self.group_.world_size
        batch = min(self.config.batch_size, y.shape[0])
        self.batch_size_ = max(unit, batch - batch % unit)
        self.local_batch_size_ = self.batch_size_ // self.group_.world_size
        # The rows of whole packs the penalty is computed on (penalty_fraction); the epsilon keeps
        # a product such as 0.3 * 10 = 3.0000000000000004 from rounding up to a pack more.
        packs = self.local_batch_size_ // pac
        self.penalty_rows_ = pac * max(1, math.ceil(self.config.penalty_fraction * packs - 1e-9))
        self.steps_per_epoch_ = math.ceil(y.shape[0] / self.batch_size_)

    def _local(self, n_global: int, groups: int = 1) -> torch.Tensor | slice:
        """Which of ``n_global`` shared draws, made as ``groups`` consecutive global batches, are
        this process's: its slice of each batch."""
        if not self.group_.active:
            return slice(None)
        per_batch = torch.arange(n_global, device=self.device_).view(groups, -1)
        return per_batch[:, self.group_.local_slice(n_global // groups)].reshape(-1)

    def _draw_classes(self, n: int) -> torch.Tensor:
        """``n`` class-balanced draws (indices into ``classes_present_``), one class per pack of
        the discriminator's ``pac`` rows where it asks for that (``packs_of_one_class``).

        PacGAN's packs let the critic see a generator that repeats itself; a pack of mixed classes
        shows it one or two rows of a class, so a rare class's repeats went unseen. One class per
        pack lifted the top-up's macro-F1 on the panel (benchmarks/CLASS_PACKS.md). ``n`` is a
        multiple of ``pac`` (batches are)."""
        packs = self._class_pack()
        pick = torch.randint(len(self.classes_present_), (n // packs,), device=self.device_,
                             generator=self.shared_rng_)
        return pick if packs == 1 else pick.repeat_interleave(packs)

    def _class_pack(self) -> int:
        """How many consecutive rows of a batch share one class draw."""
        return self.pac_ if getattr(self.discriminator, "packs_of_one_class", False) else 1

    def _draw_labels(self, n=None, groups: int = 1):
        """This process's part of ``n`` (default: one global batch) class-balanced labels."""
        n = self.batch_size_ if n is None else n
        pick = self._draw_classes(n)[self._local(n, groups)]
        return pick, self.classes_present_[pick]

    def _draw_real(self, X, n=None, groups: int = 1):
        n = self.batch_size_ if n is None else n
        pick = self._draw_classes(n)
        offset = torch.rand(n, device=self.device_, generator=self.shared_rng_)
        local = self._local(n, groups)
        pick, offset = pick[local], offset[local]
        rows = self.rows_by_class_[self.class_starts_[pick] + (offset * self.class_counts_[pick]).long()]
        return X[rows], self.classes_present_[pick]

    def _draw_noise(self, n=None, groups: int = 1) -> torch.Tensor:
        n = self.batch_size_ if n is None else n
        z = torch.randn(n, self.generator.noise_dim, device=self.device_, generator=self.shared_rng_)
        return z[self._local(n, groups)]

    def _run_epoch(self, X) -> dict:
        cfg = self.config
        started = time.perf_counter()
        lr_factor = self._lr_factor()
        for optimizer, lr in ((self.optimizer_g_, cfg.lr_g), (self.optimizer_d_, cfg.lr_d)):
            for group in optimizer.param_groups:
                group["lr"] = lr * lr_factor
        loss_d_sum = torch.zeros((), device=self.device_)
        loss_g_sum = torch.zeros((), device=self.device_)
        for _ in range(self.steps_per_epoch_):
            loss_d, loss_g = self._train_step(X)
            loss_d_sum += loss_d
            loss_g_sum += loss_g
        self.epoch_ += 1
        # The one host sync of the epoch; averaged over the processes, so all see one history.
        loss_d_mean, loss_g_mean = (self.group_.mean(torch.stack([loss_d_sum, loss_g_sum]))
                                    / self.steps_per_epoch_).tolist()
        record = {
            "epoch": self.epoch_,
            "loss_d": loss_d_mean,
            "loss_g": loss_g_mean,
            "lr_g": cfg.lr_g * lr_factor,
            "lr_d": cfg.lr_d * lr_factor,
            "time_s": time.perf_counter() - started,
        }
        if self.augment_p_ is not None:
            record["augment_p"] = self.augment_p_.p
            record["real_sign"] = self.augment_p_.last_signal
        self._check_divergence(record)
        return record

    def _train_step(self, X):
        """``n_critic`` discriminator updates, one generator update, the EMA; returns the mean
        discriminator loss and the generator loss (detached 0-d tensors)."""
        cfg, G, D, loss, group = self.config, self.generator, self.discriminator, self.loss_, self.group_
        B, b, n_critic = self.batch_size_, self.local_batch_size_, cfg.n_critic  # global, this process's
        self._set_condition_strength(self._condition_strength())
        self._set_progress()
        if self.batched_fakes_:
            # G's weights do not move during the critic updates, and its rows do not depend on
            # their batch: the fakes of all critic updates come from one call.
            reals, labels_all = self._draw_real(X, B * n_critic, groups=n_critic)
            with torch.no_grad(), self.autocast_():
                fakes = G(self._draw_noise(B * n_critic, groups=n_critic), labels_all)
        loss_d_sum = torch.zeros((), device=self.device_)
        for k in range(n_critic):
            if self.batched_fakes_:
                part = slice(k * b, (k + 1) * b)
                real, fake, labels = reals[part], fakes[part], labels_all[part]
            else:
                real, labels = self._draw_real(X, B)
                z = self._draw_noise(B)
                with torch.no_grad(), self.autocast_():
                    fake = G(z, labels)
            with self.autocast_():
                real, fake = self._augment(real), self._augment(fake)
                if self.joint_d_:
                    # One call on real and fake together: D scores each row (pack) on its own.
                    real_scores, fake_scores = D(torch.cat([real, fake]), torch.cat([labels, labels])).chunk(2)
                else:
                    real_scores, fake_scores = D(real, labels), None
                if fake_scores is None:
                    fake_scores = D(fake, labels)
                if self.augment_p_ is not None and self.augment_p_.adaptive:  # a fixed p reads nothing
                    self.augment_p_.observe(loss.real_margins(real_scores, fake_scores))
                loss_d = loss.discriminator(real_scores.float(), fake_scores.float())
                # Lazy regularisation: the penalty on one update in every penalty_every (counted
                # over the whole run, so a resumed fit keeps the same updates), weighted by it.
                if loss.penalty is not None and (self.step_ * n_critic + k) % cfg.penalty_every == 0:
                    rows = self.penalty_rows_  # penalty_fraction: the first packs, a random subset
                    penalty = loss.penalty(D, real[:rows], fake[:rows], labels[:rows])
                    loss_d = loss_d + (penalty if cfg.penalty_every == 1 else cfg.penalty_every * penalty)
            self.optimizer_d_.zero_grad(set_to_none=True)
            loss_d.backward()
            group.average_gradients(D)
            self.optimizer_d_.step()
            if loss.after_discriminator_step is not None:
                loss.after_discriminator_step(D)
            loss_d_sum += loss_d.detach()
        # The generator step needs gradients through D, not of D's weights (switched back on
        # whatever happens: a second fit of the same modules reads a parameter off as frozen).
        _set_requires_grad(self.trainable_d_, False)
        try:
            return loss_d_sum / n_critic, self._generator_step(B)
        finally:
            _set_requires_grad(self.trainable_d_, True)

    def _generator_step(self, B):
        """One generator update (and the EMA); returns its loss (a detached 0-d tensor)."""
        G, D, loss = self.generator, self.discriminator, self.loss_
        _, labels = self._draw_labels(B)
        z = self._draw_noise(B)
        with self.autocast_():
            fake = G(z, labels)
            loss_g = loss.generator(D(self._augment(fake), labels).float())
            if loss.generator_penalty is not None:
                loss_g = loss_g + loss.generator_penalty(fake, z, labels)
            if self.generator_terms_ is not None:
                loss_g = loss_g + self.generator_terms_(fake, z, labels)
        self.optimizer_g_.zero_grad(set_to_none=True)
        loss_g.backward()
        self.group_.average_gradients(G)
        self.optimizer_g_.step()
        self.step_ += 1
        self._update_ema()
        return loss_g.detach()

    def _augment(self, images):
        if self.augment_p_ is None:
            return images
        return augment(images, self.augment_policy_, self.augment_p_.p)

    def _condition_strength(self) -> float:
        warmup_steps = self.config.condition_warmup * self.n_epochs_ * self.steps_per_epoch_
        return 1.0 if warmup_steps < 1 else min(1.0, self.step_ / warmup_steps)

    def _set_progress(self) -> None:
        """Tell models that change with training (progressive growing: ``set_progress``) how far
        it is: the share of the planned generator updates done once the coming one is, so that the
        last update trains the model as it will sample (read off the step, which a checkpoint restores)."""
        planned = self.n_epochs_ * self.steps_per_epoch_
        for module in (self.generator, self.discriminator, self.generator_ema_):
            if module is not None and hasattr(module, "set_progress"):
                module.set_progress(min(1.0, (self.step_ + 1) / planned))

    def _set_condition_strength(self, strength: float) -> None:
        for module in (self.generator, self.discriminator, self.generator_ema_):
            if module is not None and hasattr(module, "condition_strength"):
                module.condition_strength = strength

    @torch.no_grad()
    def _calibrate_batchnorm(self, generator):
        """Re-estimate the batch-norm statistics that ``generator`` uses in eval mode.

        Sampling runs in eval mode so that an image never depends on the others in its batch. The
        running statistics collected in training belong to the live weights at each step, not to
        the averaged (EMA) weights that sample, so they are recomputed here as a plain average
        over class-balanced batches ("standing statistics", Brock et al. 2019).
        """
        norms = [m for m in generator.modules()
                 if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d, torch.nn.BatchNorm3d))]
        if not norms:
            return
        momenta = [norm.momentum for norm in norms]
        for norm in norms:
            norm.reset_running_stats()
            norm.momentum = None  # cumulative average
        generator.train()
        for _ in range(_BATCHNORM_CALIBRATION_BATCHES):
            _, labels = self._draw_labels()
            generator(self._draw_noise(), labels)
        for norm, momentum in zip(norms, momenta):
            norm.momentum = momentum
        generator.eval()

    def _lr_factor(self) -> float:
        progress = self.epoch_ / self.n_epochs_
        if self.config.lr_schedule == "linear":
            return 1.0 - progress
        if self.config.lr_schedule == "cosine":
            return 0.5 * (1.0 + math.cos(math.pi * progress))
        return 1.0

    @torch.no_grad()
    def _update_ema(self):
        if self.generator_ema_ is None:
            return
        # Warm-up: early on the average would be dominated by the random initialisation.
        decay = min(self.config.ema_decay, (1 + self.step_) / (10 + self.step_))
        for ema_param, param in zip(self.generator_ema_.parameters(), self.generator.parameters()):
            ema_param.lerp_(param, 1.0 - decay)
        for ema_buffer, buffer in zip(self.generator_ema_.buffers(), self.generator.buffers()):
            ema_buffer.copy_(buffer)

    def _check_divergence(self, record):
        for key in ("loss_d", "loss_g"):
            value = record[key]
            if not math.isfinite(value) or abs(value) > _DIVERGENCE_LIMIT:
                config = self.config
                other_loss = "hinge" if config.loss == "wgan-gp" else "wgan-gp"
                raise TrainingDivergedError(
                    f"Training diverged at epoch {record['epoch']}: {key} became {value:.4g} (lr_g={config.lr_g:g}, "
                    f"lr_d={config.lr_d:g}, loss={config.loss!r}). No model was kept. Try lower learning rates "
                    f"(lr_g, lr_d), loss={other_loss!r}, or a larger batch_size."
                )
