"""Everything a training run changes, in one object that a checkpoint saves and restores exactly.

Restoring a checkpoint gives back the networks, the optimisers and schedules, the step, the loss history and every
random-number generator (the training noise and Python's, NumPy's and torch's global ones), so a resumed run goes
on exactly as an uninterrupted one would (tested bit for bit on CPU).
"""

import copy
import random
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from .networks import DigitGenerator, Discriminator, DiscriminatorConfig, GeneratorConfig
from .schedule import half_then_linear


@dataclass
class GanTrainState:
    """G, D, the EMA copy of G, their optimisers and LR schedules, the noise RNG, the step and the loss history."""

    G: DigitGenerator
    D: Discriminator
    G_ema: DigitGenerator
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    sched_g: torch.optim.lr_scheduler.LRScheduler
    sched_d: torch.optim.lr_scheduler.LRScheduler
    noise_rng: torch.Generator
    step: int = 0
    history: list = field(default_factory=list)  # rows [step, loss_d, loss_g, aux_d, aux_g] for the loss plot

    @classmethod
    def create(cls, g_config: GeneratorConfig, d_config: DiscriminatorConfig, *, lr_g: float, lr_d: float,
               betas: tuple[float, float], total_steps: int, noise_seed: int, device="cpu") -> "GanTrainState":
        """Fresh networks (from torch's global RNG), Adam optimisers and schedules over `total_steps`."""
        G = DigitGenerator(g_config).to(device)
        D = Discriminator(d_config).to(device).to(memory_format=torch.channels_last)
        # on a GPU, fused Adam updates every parameter in one kernel: these small networks are launch-bound there.
        # (A resumed run keeps the kernel its checkpoint was made with: Optimizer.load_state_dict restores it.)
        fused = torch.device(device).type == "cuda"
        opt_g = torch.optim.Adam(G.parameters(), lr=lr_g, betas=tuple(betas), fused=fused)
        opt_d = torch.optim.Adam(D.parameters(), lr=lr_d, betas=tuple(betas), fused=fused)
        return cls(G=G, D=D, G_ema=copy.deepcopy(G).eval(), opt_g=opt_g, opt_d=opt_d,
                   sched_g=half_then_linear(opt_g, total_steps), sched_d=half_then_linear(opt_d, total_steps),
                   noise_rng=torch.Generator(device=device).manual_seed(noise_seed))

    def state_dict(self, **extra) -> dict:
        """Plain tensors, numbers and lists only, so torch.load(..., weights_only=True) can read it back."""
        return {
            "step": self.step, "g_config": asdict(self.G.config), "d_config": asdict(self.D.config), **extra,
            "G": self.G.state_dict(), "D": self.D.state_dict(), "G_ema": self.G_ema.state_dict(),
            "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict(),
            "sched_g": self.sched_g.state_dict(), "sched_d": self.sched_d.state_dict(),
            "noise_rng": self.noise_rng.get_state(), "torch_rng": torch.get_rng_state(),
            "python_rng": random.getstate(), "numpy_rng": numpy_state(), "history": self.history,
        }

    def load_state_dict(self, ckpt: dict) -> None:
        """Restore from state_dict()'s output; ValueError if it was made with other network configs."""
        differences = config_differences(ckpt["g_config"], self.G.config, "G")
        differences += config_differences(ckpt["d_config"], self.D.config, "D")
        if differences:
            raise ValueError("it was trained with a different model config (give the flags it was trained with): "
                             + "; ".join(differences))
        if ckpt["noise_rng"].numel() != self.noise_rng.get_state().numel():  # CPU and CUDA generators differ
            raise ValueError(f"it was made on another kind of device than this run's ({self.noise_rng.device.type}): "
                             "a run resumes on the kind of device it started on (give the --device it trained on)")
        for name in ("G", "D", "G_ema", "opt_g", "opt_d", "sched_g", "sched_d"):
            getattr(self, name).load_state_dict(ckpt[name])
        self.noise_rng.set_state(ckpt["noise_rng"])
        torch.set_rng_state(ckpt["torch_rng"])
        random.setstate(ckpt["python_rng"])
        set_numpy_state(ckpt["numpy_rng"])
        self.history, self.step = ckpt["history"], ckpt["step"]

    def checkpoint_bytes(self) -> int:
        """About how large one checkpoint is: G, its EMA copy and Adam's two moments; D and its two moments."""
        n_g, n_d = (sum(p.numel() for p in m.parameters()) for m in (self.G, self.D))
        return 4 * (4 * n_g + 3 * n_d)


def config_differences(saved: dict, config, name: str) -> list[str]:
    """The fields where a checkpoint's network config differs from this run's, e.g. "G output_gain: checkpoint 1.0,
    this run 1.2". A field the checkpoint lacks (it predates the field) counts as that field's default."""
    try:
        saved = asdict(type(config)(**saved))
    except TypeError as e:  # a field this code does not know: made by a newer version
        raise ValueError(f"its {name} config has fields this version does not know ({e}): {saved}") from None
    now = asdict(config)
    return [f"{name} {key}: checkpoint {saved[key]}, this run {now[key]}" for key in now if saved[key] != now[key]]


def numpy_state() -> list:
    """NumPy's global RNG state as plain lists and numbers (loadable with weights_only=True)."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return [name, keys.tolist(), pos, has_gauss, cached]


def set_numpy_state(state: list) -> None:
    """Set NumPy's global RNG state from numpy_state()'s output."""
    name, keys, pos, has_gauss, cached = state
    np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))
