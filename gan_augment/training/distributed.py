"""Data-parallel training on torch's own engine (``torch.distributed``, launched by ``torchrun``).

What the trainer needs from a process group, and nothing else, lives here:

* **One seed, one stream of shared draws.** Every process seeds the same stream for what a batch is
  made of (class labels, rows, noise), draws the *global* batch and keeps its own slice of it: the
  slices are disjoint, class-balanced as a whole, and a run on N processes sees the very batches a
  1-process run with the same global batch sees. Randomness inside a step (dropout, Gumbel noise,
  penalty interpolates, differentiable augmentation) comes from a second stream per process, seeded
  from (seed, rank), so the processes' masks are independent.
* **G and D are synchronised separately.** After each backward pass the gradients of the network
  being updated are averaged over the processes with one ``all_reduce`` on a flat buffer; the
  optimizer steps then agree bit for bit, and so do the weights and the EMA copy, which is never
  communicated. This is the collective ``DistributedDataParallel`` runs, without its module
  wrapper: a GAN step calls the critic several times per update, through a double backward for
  the gradient penalty, and through the generator's update without wanting the critic's weight
  gradients, and DDP's reducer expects one forward and one backward per update of one module.
  The gradient penalty therefore stays per process, and the ordinary backward all-reduces it.
* **Batch norm** is per process (each normalises its own slice, as DDP does without
  ``SyncBatchNorm``); the sampling generator's statistics are re-estimated after training and
  broadcast from rank 0, so every process ends with the same model.
* **Failures stop every process.** Losses are averaged once per epoch, so a divergence is seen by
  all together; a process that dies makes the others' next collective fail, and they stop with a
  :class:`~gan_augment.exceptions.DistributedError` that says so instead of hanging.
"""

from __future__ import annotations

import atexit
import datetime
import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist

from gan_augment.exceptions import DistributedError

# torchrun sets these; a world of more than one process means "train data-parallel".
_TORCHRUN_VARIABLES = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def launched_by_torchrun() -> bool:
    """Whether this process is one of several started by ``torchrun`` (or an equivalent launcher)."""
    return _environment_int("WORLD_SIZE", 1) > 1 and all(v in os.environ for v in _TORCHRUN_VARIABLES)


def refuse_folds_in_workers(n_jobs, distributed, *, who: str) -> None:
    """Refuse, before any work, folds that joblib's worker processes would run under torchrun with
    GANs that train data-parallel (``distributed`` not False): the workers inherit torchrun's
    variables, and each took the workers of other folds and processes for the processes of its
    run (a hang, or "different data on different processes")."""
    from joblib import effective_n_jobs

    at_once = effective_n_jobs(n_jobs)
    if is_false(distributed) or not launched_by_torchrun() or at_once == 1:
        return
    given = f"n_jobs={n_jobs}" if n_jobs is not None else "the joblib backend's n_jobs"
    raise DistributedError(
        f"{who} runs {at_once} folds at once ({given}), and under torchrun a GAN fitted beside another takes it for "
        "a process of its distributed run. Run one fold at a time (n_jobs=1), and the processes fit each fold's GAN "
        "together; or pass distributed=False to the augmenter, and each process fits its own.")


def is_false(distributed) -> bool:
    """Whether a ``distributed`` setting says no: ``False``, numpy's too."""
    return isinstance(distributed, (bool, np.bool_)) and not distributed


def _environment_int(name: str, default: int) -> int:
    """The whole number in environment variable ``name`` (``default`` where it is unset), or a
    :class:`DistributedError` naming it: int()'s own words named neither the variable nor its use."""
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise DistributedError(f"The environment variable {name}={value!r} is not a whole number: torchrun sets "
                               f"{name} for the processes of a distributed run. Unset it (`unset {name}`) or set "
                               "it to an integer.") from None


def local_process_count() -> int:
    """How many processes of this run share this machine: torchrun's ``LOCAL_WORLD_SIZE`` (the whole
    world where a launcher does not set it), 1 outside a launched run."""
    if not launched_by_torchrun():
        return 1
    return _environment_int("LOCAL_WORLD_SIZE", _environment_int("WORLD_SIZE", 1))


def local_gpu_index(rank: int) -> int:
    """The GPU of this process (its local rank), or a :class:`DistributedError` before any work when
    the machine has fewer GPUs than processes: NCCL needs a GPU for each, and CUDA's own message
    ("invalid device ordinal") says neither why nor what to do."""
    n_gpus, processes = torch.cuda.device_count(), local_process_count()
    index = _environment_int("LOCAL_RANK", rank % max(n_gpus, 1))
    # Without LOCAL_RANK (another launcher) rank % n_gpus is always in range: count the processes too.
    if index >= n_gpus or processes > n_gpus:
        raise DistributedError(
            f"Process {rank} would share a GPU: this machine has {n_gpus} GPU(s) for {processes} processes, and "
            f"on CUDA each process needs a GPU of its own. Start at most {n_gpus} per machine (torchrun "
            f"--nproc-per-node {n_gpus}) or train on the CPU (device='cpu', --device cpu).")
    return index


def is_main_process() -> bool:
    """Rank 0 of the running process group, or a process that is not part of one: the one that
    writes models, checkpoints and output files, and prints."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank() == 0
    return _environment_int("RANK", 0) == 0


@dataclass(frozen=True)
class ProcessGroup:
    """This process's place in a data-parallel run; ``world_size == 1`` is the ordinary single
    process, for which every method is a no-op."""

    rank: int = 0
    world_size: int = 1

    @property
    def active(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def local_slice(self, n_global: int) -> slice:
        """This process's part of a global batch of ``n_global`` rows."""
        n_local = n_global // self.world_size
        return slice(self.rank * n_local, (self.rank + 1) * n_local)

    def average_gradients(self, module: torch.nn.Module) -> None:
        """Average the gradients of ``module``'s parameters over the processes, in place."""
        if not self.active:
            return
        grads = [p.grad for p in module.parameters() if p.grad is not None]
        if not grads:
            return
        flat = torch.cat([g.reshape(-1) for g in grads])
        self._all_reduce(flat)
        flat.div_(self.world_size)
        offset = 0
        for g in grads:
            g.copy_(flat[offset:offset + g.numel()].view_as(g))
            offset += g.numel()

    def mean(self, tensor: torch.Tensor) -> torch.Tensor:
        """``tensor`` averaged over the processes (a new tensor; the input is left as it was)."""
        if not self.active:
            return tensor
        total = tensor.detach().clone()
        self._all_reduce(total)
        return total / self.world_size

    def any_process(self, flag: bool) -> bool:
        """Whether ``flag`` is true in any process (every process must ask)."""
        if not self.active:
            return bool(flag)
        votes = torch.tensor([float(bool(flag))], device=self._device())
        self._all_reduce(votes)
        return bool(votes.item() > 0)

    def broadcast_module(self, module: torch.nn.Module, src: int = 0) -> None:
        """Copy rank ``src``'s parameters and buffers into every process's ``module``."""
        if not self.active:
            return
        with torch.no_grad():
            for tensor in list(module.parameters()) + list(module.buffers()):
                self._collective(dist.broadcast, tensor, src)

    def broadcast_object(self, obj, src: int = 0):
        """Rank ``src``'s ``obj`` (picklable), returned on every process."""
        if not self.active:
            return obj
        box = [obj if self.rank == src else None]
        self._collective(dist.broadcast_object_list, box, src)
        return box[0]

    def broadcast_tensor(self, tensor: torch.Tensor | None, src: int = 0) -> torch.Tensor:
        """Rank ``src``'s ``tensor`` on every process (others pass None); shape and dtype travel first."""
        if not self.active:
            assert tensor is not None
            return tensor
        shape, dtype = self.broadcast_object(None if tensor is None else (tuple(tensor.shape), tensor.dtype), src)
        if self.rank != src:
            tensor = torch.empty(shape, dtype=dtype, device=self._device())
        assert tensor is not None
        tensor = tensor.to(self._device()).contiguous()
        self._collective(dist.broadcast, tensor, src)
        return tensor

    def gather_objects(self, obj) -> list:
        """Every process's ``obj``, in rank order, on every process."""
        if not self.active:
            return [obj]
        out: list = [None] * self.world_size
        self._collective(dist.all_gather_object, out, obj)
        return out

    # ------------------------------------------------------------------ internals
    def _device(self) -> torch.device:
        # NCCL moves tensors between GPUs; gloo between host memories.
        if dist.get_backend() == "nccl":
            return torch.device("cuda", torch.cuda.current_device())
        return torch.device("cpu")

    def _all_reduce(self, tensor: torch.Tensor) -> None:
        if dist.get_backend() == "nccl" or tensor.device.type == "cpu":
            self._collective(dist.all_reduce, tensor)
        else:  # a CUDA tensor in a gloo group: reduce a host copy
            host = tensor.cpu()
            self._collective(dist.all_reduce, host)
            tensor.copy_(host)

    def _collective(self, operation, *args):
        try:
            return operation(*args)
        except (RuntimeError, dist.DistBackendError) as exc:
            # The backend's own first sentence (e.g. gloo's "Connection reset by peer"), not its advice.
            cause = " ".join(str(exc).split()).split(". ")[0][:200]
            raise DistributedError(
                f"Process {self.rank} of {self.world_size}: another process of the distributed run stopped or "
                f"could not be reached ({cause}). This process stops too; nothing was written by it. Look for "
                "the first error in the other processes' output."
            ) from exc


SINGLE_PROCESS = ProcessGroup()


def resolve_process_group(distributed="auto", device: torch.device | None = None, *,
                          timeout: datetime.timedelta | None = None) -> ProcessGroup:
    """The process group a fit trains on.

    ``distributed``: ``False`` trains in this process alone; ``"auto"`` joins the torch process
    group if one is initialised, or sets one up when ``torchrun`` started several processes;
    ``True`` insists on one (and says how to start it if there is none). A group set up here uses
    the gloo backend on the CPU and NCCL on CUDA devices.
    """
    global _set_up_here
    if isinstance(distributed, np.bool_):  # np.False_ joined the group and np.True_ did not insist
        distributed = bool(distributed)
    if distributed not in ("auto", True, False):
        raise ValueError(f"distributed must be 'auto', True or False, got {distributed!r}.")
    if distributed is False or not dist.is_available():
        if distributed is True:
            raise DistributedError("distributed=True: this build of torch has no torch.distributed.")
        return SINGLE_PROCESS
    if not dist.is_initialized():
        if not launched_by_torchrun():
            if distributed is True:
                raise DistributedError(
                    "distributed=True needs several processes: start the script with torchrun (e.g. "
                    "`torchrun --nproc-per-node 2 -m gan_augment fit DATA`) or call "
                    "torch.distributed.init_process_group first.")
            return SINGLE_PROCESS
        if _set_up_here:
            raise DistributedError(
                "The process group gan-augment set up for an earlier fit in this process was destroyed "
                "(torch.distributed.destroy_process_group()), and under torchrun a new one never completes: destroy "
                "it only once every fit is done, or set one up yourself (torch.distributed.init_process_group) "
                "before the next fit.")
        backend = "nccl" if device is not None and device.type == "cuda" else "gloo"
        if backend == "nccl":
            torch.cuda.set_device(local_gpu_index(_environment_int("RANK", 0)))
        dist.init_process_group(backend=backend, timeout=timeout)  # None: torch's default
        # Kept for this process's later fits, torn down at exit: a group set up again under torchrun
        # after one was destroyed never completed its first collective (a second fit hung).
        _set_up_here = True
        atexit.register(_destroy_group)
    world_size = dist.get_world_size()
    if world_size == 1 and distributed == "auto":
        return SINGLE_PROCESS
    return ProcessGroup(rank=dist.get_rank(), world_size=world_size)


#: Whether a fit in this process set up the torch process group (see resolve_process_group).
_set_up_here = False


def _destroy_group() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def local_device(device: torch.device, group: ProcessGroup) -> torch.device:
    """The device of this process: with several processes on CUDA, the GPU of its local rank."""
    if group.active and device.type == "cuda":
        if device.index is not None and local_process_count() > 1:
            # Every process of this machine on that one GPU: NCCL refuses two ranks on one device.
            raise DistributedError(
                f"device={str(device)!r} puts every process of this machine on GPU {device.index}; under torchrun "
                "each process takes the GPU of its local rank. Give device='cuda' (--device cuda) or 'auto'.")
        if device.index is None:
            return torch.device("cuda", local_gpu_index(group.rank))
    return device
