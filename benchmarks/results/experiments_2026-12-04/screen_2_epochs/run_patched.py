"""python run_patched.py PATCH train_cgan.py-args... (from the repository root): train_cgan.py with one recall
experiment's patch, as the 2-epoch screen and the linear-pooling runs of 2026-12-04 ran it. A record, not a tool:
`dflat` is what `--d-pooling linear` now does."""
import os
import runpy
import sys

sys.path.insert(0, os.getcwd())
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.nn.utils.parametrizations import spectral_norm  # noqa: E402

import model.networks as nw  # noqa: E402
import model.schedule as sch  # noqa: E402
import model.train_steps as ts  # noqa: E402

patch = sys.argv.pop(1)
if patch == "nodecay":  # constant learning rate for the whole run
    sch.lr_factor = lambda step, total: 1.0
elif patch == "dflat":  # D's features: a learned linear map of the whole 3x3 map instead of a sum over positions
    init0 = nw.Discriminator.__init__

    def __init__(self, config):
        init0(self, config)
        c = config.channels
        self.flat = spectral_norm(nn.Linear(c * 4 * 9, c * 4))

    def features(self, x):
        h = F.leaky_relu(self.conv1(x), 0.2)
        h = F.leaky_relu(self.conv2(h), 0.2)
        h = F.leaky_relu(self.conv3(h), 0.2)
        h = F.leaky_relu(self.conv4(h), 0.2)  # (B, 4C, 3, 3)
        return F.leaky_relu(self.flat(h.flatten(1)), 0.2) * 3  # (B, 4C)
    nw.Discriminator.__init__, nw.Discriminator.features = __init__, features
elif patch.startswith("r1"):  # R1 penalty on real images' realness, gamma from the name (r1_1 -> 1)
    gamma = float(patch.split("_")[1])

    def discriminator_step(D, opt_d, real, real_labels, fake, fake_labels, aux_weight, use_amp=False,
                           joint_batch=False):
        fake = fake.detach()
        real = real.detach().requires_grad_(True)
        real_score, real_logits = D(real, real_labels)
        fake_score, _ = D(fake, fake_labels)
        loss, parts = ts.discriminator_loss(real_score, fake_score, real_logits, real_labels, aux_weight)
        (grad,) = torch.autograd.grad(real_score.sum(), real, create_graph=True)
        r1 = grad.pow(2).sum(dim=(1, 2, 3)).mean()
        loss = loss + gamma / 2 * r1
        opt_d.zero_grad(set_to_none=True)
        loss.backward()
        opt_d.step()
        return parts
    ts.discriminator_step = discriminator_step
elif patch != "none":
    sys.exit(f"unknown patch {patch}")
sys.argv = ["train_cgan.py"] + sys.argv[1:]
runpy.run_path("train_cgan.py", run_name="__main__")
