"""python benchmarks/results/experiments_2026-12-05/twin_classifier_patch.py PATCH train_cgan.py-args...

The patch the 2026-12-05 twin-classifier quick runs trained with (their records' commands do not show it), kept as
the record. PATCH is `tac` (G's auxiliary term minus the twin head's, as `--twin-classifier` now does: the same
weights bit for bit in a 40-step check) or `tac_L` (the twin head's term on G times L: `tac_0.5` halves it). Run it
from the repository root, at the commit before `--twin-classifier` existed (D's forward then returned two values).
"""
import os
import runpy
import sys

sys.path.insert(0, os.getcwd())
import torch.nn as nn
import torch.nn.functional as F

import model.networks as nw
import model.train_steps as ts

patch = sys.argv.pop(1)
twin_weight = float(patch.split("_")[1]) if "_" in patch else 1.0
init0 = nw.Discriminator.__init__
def __init__(self, config):
    init0(self, config)
    self.twin_head = nn.Linear(config.channels * 4, config.num_classes)
def forward(self, x, labels):
    h = self.features(x)
    self._h = h
    projection = (self.class_proj(labels) * h).sum(dim=1)
    return self.adv_head(h).squeeze(1) + projection, self.class_head(h)
nw.Discriminator.__init__, nw.Discriminator.forward = __init__, forward
def discriminator_step(D, opt_d, real, real_labels, fake, fake_labels, aux_weight, use_amp=False, joint_batch=False):
    fake = fake.detach()
    real_score, real_logits = D(real, real_labels)
    fake_score, _ = D(fake, fake_labels)
    twin = F.cross_entropy(D.twin_head(D._h), fake_labels)
    loss, parts = ts.discriminator_loss(real_score, fake_score, real_logits, real_labels, aux_weight)
    loss = loss + aux_weight * twin
    parts["twin_d"] = twin.detach()
    opt_d.zero_grad(set_to_none=True)
    loss.backward()
    opt_d.step()
    return parts
def generator_step(D, opt_g, fake, fake_labels, aux_weight, use_amp=False, z=None, mode_seeking=0.0):
    fake_score, fake_logits = D(fake, fake_labels)
    twin = F.cross_entropy(D.twin_head(D._h), fake_labels)
    loss, parts = ts.generator_loss(fake_score, fake_logits, fake_labels, aux_weight)
    loss = loss - twin_weight * aux_weight * twin
    parts["twin_g"] = twin.detach()
    if mode_seeking:
        diversity = ts.mode_seeking_loss(fake, z)
        loss = loss + mode_seeking * diversity
        parts["ms"] = diversity.detach()
    opt_g.zero_grad(set_to_none=True)
    loss.backward()
    opt_g.step()
    return parts
ts.discriminator_step, ts.generator_step = discriminator_step, generator_step
sys.argv = ["train_cgan.py"] + sys.argv[1:]
runpy.run_path("train_cgan.py", run_name="__main__")
