"""python benchmarks/results/experiments_2026-12-05/recall_patches.py PATCH train_cgan.py-args...

The patches the 2026-12-05 (evening) quick runs trained with, kept as the record (their records' commands do not
show them). Run from the repository root. PATCH is
- `none`: train_cgan.py as it is (the runs with only flags: `--z-dim 128`, `--epochs 8` / `10`);
- `margin_M`: G's auxiliary cross-entropy counts only above M per image (relu(CE - M)): G is pushed until D's
  classifier reads the digit with p > exp(-M), and no further towards the digit's clearest examples;
- `skipz`: BigGAN's skip-z: each conditional BatchNorm of G reads the latent as well as the digit's embedding
  (its saved weights do not load into DigitGenerator: the evaluation ran in the training process).
"""
import os
import runpy
import sys

sys.path.insert(0, os.getcwd())
import torch.nn.functional as F

import model.train_steps as ts

patch = sys.argv.pop(1)
if patch.startswith("margin_"):
    margin = float(patch.split("_")[1])

    def generator_loss(fake_score, fake_logits, fake_labels, aux_weight, fake_twin_logits=None):
        adversarial = -fake_score.float().mean()
        per_image = F.cross_entropy(fake_logits.float(), fake_labels, reduction="none")
        auxiliary = F.relu(per_image - margin).mean()
        return adversarial + aux_weight * auxiliary, {"g": adversarial.detach(), "aux_g": per_image.mean().detach()}

    ts.generator_loss = generator_loss
elif patch == "skipz":  # BigGAN's skip-z: each conditional BatchNorm reads the latent too, not only the digit
    import torch
    import torch.nn.functional as F2

    import model.networks as nw
    init0 = nw.DigitGenerator.__init__

    def __init__(self, config):
        init0(self, config)
        c, width = config.channels, config.embed_dim + config.z_dim
        self.bn0, self.bn1, self.bn2 = (nw.ConditionalBatchNorm(n, width) for n in (c, c // 2, c // 4))

    def synthesize(self, z, e):
        h = self.fc(torch.cat([z, e], dim=1)).view(-1, self.config.channels, 7, 7)
        h = h.contiguous(memory_format=torch.channels_last)
        ez = torch.cat([e, z], dim=1)
        h = F2.relu(self.bn0(h, ez))
        h = F2.relu(self.bn1(self.up1(h), ez))
        h = F2.relu(self.bn2(self.up2(h), ez))
        return (self.config.output_gain * torch.tanh(self.to_image(h))).clamp(-1, 1)

    nw.DigitGenerator.__init__, nw.DigitGenerator.synthesize = __init__, synthesize
elif patch != "none":
    raise SystemExit(f"unknown patch {patch}")
sys.argv = ["train_cgan.py"] + sys.argv[1:]
runpy.run_path("train_cgan.py", run_name="__main__")
