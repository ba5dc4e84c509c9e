"""The training steps as library code, in-process on tiny networks: each test runs in well under a second."""

import dataclasses
import io
import random

import numpy as np
import pytest
import torch

from model.ema import ema_decay, recalibrate_bn, update_ema
from model.losses import discriminator_loss, generator_loss, mode_seeking_loss, pair_labels, r1_penalty
from model.networks import DigitGenerator, Discriminator, DiscriminatorConfig, GeneratorConfig, minibatch_std_channel
from model.schedule import half_then_linear, lr_factor
from model.train_state import GanTrainState
from model.train_steps import discriminator_step, generator_step

G_CONFIG, D_CONFIG = GeneratorConfig(z_dim=8, embed_dim=4, channels=16), DiscriminatorConfig(channels=8)


def tiny_state(total_steps: int = 10, d_config: DiscriminatorConfig = D_CONFIG,
               g_config: GeneratorConfig = G_CONFIG) -> GanTrainState:
    torch.manual_seed(0)
    return GanTrainState.create(g_config, d_config, lr_g=1e-3, lr_d=1e-3, betas=(0.5, 0.999),
                                total_steps=total_steps, noise_seed=1)


def batch(state: GanTrainState, size: int = 8):
    """Real-looking images (B, 1, 28, 28), their labels, and fakes from G with their labels."""
    rng = torch.Generator().manual_seed(2)
    real = torch.rand(size, 1, 28, 28, generator=rng) * 2 - 1
    real_labels = torch.randint(0, 10, (size,), generator=rng)
    fake_labels = torch.randint(0, 10, (size,), generator=rng)
    fake = state.G(torch.randn(size, G_CONFIG.z_dim, generator=rng), fake_labels)
    return real, real_labels, fake, fake_labels


def params(module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in module.parameters()]


def changed(before, module) -> bool:
    return any(not torch.equal(a, b) for a, b in zip(before, module.parameters(), strict=True))


def test_hinge_and_auxiliary_losses_have_their_textbook_values():
    logits = torch.tensor([[2.0, 0.0], [0.0, 2.0]])
    labels = torch.tensor([0, 0])
    ce = torch.nn.functional.cross_entropy(logits, labels)
    total, parts = discriminator_loss(torch.tensor([2.0, 0.0]), torch.tensor([-2.0, 0.0]), logits, labels, 0.5)
    # real: relu(1 - 2) = 0, relu(1 - 0) = 1 -> 0.5; fake: relu(1 - 2) = 0, relu(1 + 0) = 1 -> 0.5
    assert parts["d"].item() == pytest.approx(1.0) and parts["aux_d"].item() == pytest.approx(ce.item())
    assert total.item() == pytest.approx(1.0 + 0.5 * ce.item())
    total, parts = generator_loss(torch.tensor([3.0, 1.0]), logits, labels, 0.2)
    assert parts["g"].item() == pytest.approx(-2.0) and total.item() == pytest.approx(-2.0 + 0.2 * ce.item())


def test_the_logistic_loss_is_the_non_saturating_gans_and_an_unknown_loss_is_refused_by_name():
    logits, labels = torch.tensor([[2.0, 0.0], [0.0, 2.0]]), torch.tensor([0, 0])
    ce = torch.nn.functional.cross_entropy(logits, labels).item()
    real_score, fake_score = torch.tensor([2.0, 0.0]), torch.tensor([-2.0, 0.0])
    total, parts = discriminator_loss(real_score, fake_score, logits, labels, 0.5, gan_loss="logistic")
    # D: -log sigmoid(real) - log(1 - sigmoid(fake)), each averaged: softplus(-2) and softplus(0) twice over
    softplus = torch.nn.functional.softplus
    expected = (softplus(torch.tensor(-2.0)) + softplus(torch.tensor(0.0))).item()
    assert parts["d"].item() == pytest.approx(expected) and total.item() == pytest.approx(expected + 0.5 * ce)
    total, parts = generator_loss(torch.tensor([3.0, 1.0]), logits, labels, 0.2, gan_loss="logistic")
    g_expected = (softplus(torch.tensor(-3.0)) + softplus(torch.tensor(-1.0))).item() / 2  # -log sigmoid(fake score)
    assert parts["g"].item() == pytest.approx(g_expected) and total.item() == pytest.approx(g_expected + 0.2 * ce)
    for loss in (discriminator_loss, generator_loss):
        with pytest.raises(ValueError, match=r"^gan_loss must be one of hinge, logistic, got 'wasserstein'$"):
            loss(real_score, fake_score, logits, labels, 0.5, gan_loss="wasserstein") if loss is discriminator_loss \
                else loss(fake_score, logits, labels, 0.5, gan_loss="wasserstein")


def test_r1_is_the_mean_squared_gradient_of_the_score_at_each_real_image():
    real = torch.randn(4, 1, 28, 28, requires_grad=True)
    weights = torch.randn(1, 1, 28, 28)
    linear_score = (real * weights).sum(dim=(1, 2, 3))  # (B,): the gradient is `weights` at every image
    assert r1_penalty(linear_score, real).item() == pytest.approx(weights.pow(2).sum().item(), rel=1e-5)
    quadratic_score = real.pow(2).sum(dim=(1, 2, 3))  # the gradient is 2 * image: |2x|^2 averaged over the batch
    expected = (2 * real.detach()).pow(2).sum(dim=(1, 2, 3)).mean().item()
    assert r1_penalty(quadratic_score, real).item() == pytest.approx(expected, rel=1e-5)


def test_discriminator_step_with_r1_reports_the_penalty_and_descends_it():
    """The penalty is in D's loss: the step with it moves D differently, and after steps with a large weight D's
    gradient at the real images is smaller than after the same steps without it."""
    def gradient_at_reals(r1: float) -> tuple[dict, float]:
        state = tiny_state()
        real, real_labels, fake, fake_labels = batch(state)
        first = discriminator_step(state.D, state.opt_d, real, real_labels, fake.detach(), fake_labels, 1.0, r1=r1)
        for _ in range(19):
            discriminator_step(state.D, state.opt_d, real, real_labels, fake.detach(), fake_labels, 1.0, r1=r1)
        assert not real.requires_grad  # the caller's tensor is left as it was
        real = real.clone().requires_grad_(True)
        return first, r1_penalty(state.D(real, real_labels)[0], real).item()

    plain, plain_gradient = gradient_at_reals(0.0)
    penalised, penalised_gradient = gradient_at_reals(10.0)
    assert set(plain) == {"d", "aux_d"} and set(penalised) == {"d", "aux_d", "r1"} and penalised["r1"] > 0
    assert plain["d"].item() == pytest.approx(penalised["d"].item())  # the same start, the same realness loss
    assert penalised_gradient < plain_gradient / 2


def test_the_twin_classifier_adds_its_cross_entropy_to_d_and_takes_it_from_g():
    """TAC-GAN: D learns the fakes' labels with the twin head; G is rewarded where the twin head cannot tell them."""
    logits, twin_logits = torch.tensor([[2.0, 0.0], [0.0, 2.0]]), torch.tensor([[0.0, 1.0], [3.0, 0.0]])
    labels, fake_labels = torch.tensor([0, 0]), torch.tensor([1, 0])
    ce = torch.nn.functional.cross_entropy(logits, labels).item()
    twin_ce = torch.nn.functional.cross_entropy(twin_logits, fake_labels).item()
    real_score, fake_score = torch.tensor([2.0, 0.0]), torch.tensor([-2.0, 0.0])
    total, parts = discriminator_loss(real_score, fake_score, logits, labels, 0.5, twin_logits, fake_labels)
    assert parts["twin_d"].item() == pytest.approx(twin_ce)
    assert total.item() == pytest.approx(1.0 + 0.5 * (ce + twin_ce))
    ce_of_fakes = torch.nn.functional.cross_entropy(logits, fake_labels).item()  # G's heads both read fake_labels
    total, parts = generator_loss(torch.tensor([3.0, 1.0]), logits, fake_labels, 0.2, twin_logits)
    assert parts["twin_g"].item() == pytest.approx(twin_ce)
    assert total.item() == pytest.approx(-2.0 + 0.2 * (ce_of_fakes - twin_ce))


def test_the_twin_head_trains_on_fakes_and_leaves_the_other_layers_initial_weights_as_they_were():
    twin_config = dataclasses.replace(D_CONFIG, twin_classifier=True)
    torch.manual_seed(0)
    plain = Discriminator(D_CONFIG).state_dict()
    torch.manual_seed(0)
    twin = Discriminator(twin_config).state_dict()
    assert {key.split(".")[0] for key in set(twin) - set(plain)} == {"twin_head"}
    assert all(torch.equal(plain[key], twin[key]) for key in plain)  # made last: a seed's other weights unchanged
    state = tiny_state(d_config=twin_config)
    real, real_labels, fake, fake_labels = batch(state)
    before = params(state.D.twin_head)
    losses = discriminator_step(state.D, state.opt_d, real, real_labels, fake, fake_labels, aux_weight=1.0)
    assert set(losses) == {"d", "aux_d", "twin_d"} and changed(before, state.D.twin_head)
    d_before = params(state.D)
    losses = generator_step(state.D, state.opt_g, state.G(torch.randn(8, G_CONFIG.z_dim), fake_labels), fake_labels,
                            aux_weight=1.0)
    assert set(losses) == {"g", "aux_g", "twin_g"} and not changed(d_before, state.D)
    assert Discriminator(D_CONFIG)(real, real_labels)[2] is None  # no twin head, no twin logits


def test_discriminator_step_updates_d_only():
    state = tiny_state()
    real, real_labels, fake, fake_labels = batch(state)
    g_before, d_before = params(state.G), params(state.D)
    losses = discriminator_step(state.D, state.opt_d, real, real_labels, fake, fake_labels, aux_weight=1.0)
    assert set(losses) == {"d", "aux_d"} and all(torch.isfinite(v) for v in losses.values())
    assert changed(d_before, state.D) and not changed(g_before, state.G)
    assert all(p.grad is None for p in state.G.parameters())  # the fakes were detached: no gradient reached G


@pytest.mark.parametrize("twin_classifier, minibatch_std, size", [
    (False, 0.0, 8), (True, 0.0, 8), (False, 1.0, 8), (False, 1.0, 6), (False, 1.0, 5), (False, 1.0, 2)])
def test_joint_batch_scores_real_and_fake_as_separate_passes_do(twin_classifier, minibatch_std, size):
    """Also with the minibatch-stddev channel, for any batch size: its groups never mix the reals and the fakes."""
    d_config = dataclasses.replace(D_CONFIG, twin_classifier=twin_classifier, minibatch_std=minibatch_std)
    state = tiny_state(d_config=d_config)
    state.D.eval()  # no spectral-norm power iteration, so both ways see the same weights
    real, real_labels, fake, fake_labels = batch(state, size)
    with torch.no_grad():
        fake = fake.detach()
    d_copy = Discriminator(d_config).eval()
    d_copy.load_state_dict(state.D.state_dict())
    opt_copy = torch.optim.SGD(d_copy.parameters(), lr=0.0)
    separate = discriminator_step(d_copy, opt_copy, real, real_labels, fake, fake_labels, 1.0)
    joint = discriminator_step(state.D, torch.optim.SGD(state.D.parameters(), lr=0.0), real, real_labels, fake,
                               fake_labels, 1.0, joint_batch=True)
    assert set(joint) == set(separate) == {"d", "aux_d"} | ({"twin_d"} if twin_classifier else set())
    for name in joint:
        assert joint[name].item() == pytest.approx(separate[name].item(), rel=1e-5)


def test_generator_step_updates_g_only_and_the_auxiliary_term_counts():
    results = {}
    for aux_weight in (0.0, 1.0):
        state = tiny_state()
        _, _, fake, fake_labels = batch(state)
        d_before = params(state.D)
        losses = generator_step(state.D, state.opt_g, fake, fake_labels, aux_weight)
        assert set(losses) == {"g", "aux_g"} and not changed(d_before, state.D)
        results[aux_weight] = params(state.G)
    assert any(not torch.equal(a, b) for a, b in zip(results[0.0], results[1.0], strict=True))


def test_generator_step_freezes_d_for_its_backward_and_updates_g_exactly_as_with_d_weight_gradients():
    """D's weights get no gradient in G's step (the saving), and come out needing gradients again; G moves exactly as
    the plain backward through a D whose weights need gradients moves it."""
    frozen_state, plain_state = tiny_state(), tiny_state()
    for state in (frozen_state, plain_state):
        real, real_labels, fake, fake_labels = batch(state)
        discriminator_step(state.D, state.opt_d, real, real_labels, fake, fake_labels, 1.0)  # D's grads now set
    _, _, fake, fake_labels = batch(frozen_state)
    d_grads = [p.grad.clone() for p in frozen_state.D.parameters()]
    generator_step(frozen_state.D, frozen_state.opt_g, fake, fake_labels, 0.5)
    assert all(p.requires_grad for p in frozen_state.D.parameters())
    assert all(torch.equal(p.grad, g) for p, g in zip(frozen_state.D.parameters(), d_grads, strict=True))

    _, _, fake, fake_labels = batch(plain_state)  # the same step by hand, D's weight gradients computed
    score, logits, _ = plain_state.D(fake, fake_labels)
    loss, _ = generator_loss(score, logits, fake_labels, 0.5)
    plain_state.opt_g.zero_grad(set_to_none=True)
    loss.backward()
    assert all(p.grad is not None for p in plain_state.D.parameters())
    plain_state.opt_g.step()
    for frozen_param, plain_param in zip(frozen_state.G.parameters(), plain_state.G.parameters(), strict=True):
        assert torch.equal(frozen_param, plain_param)


def test_mode_seeking_term_is_latent_distance_over_image_distance_across_the_halves():
    fake = torch.zeros(4, 1, 28, 28)
    fake[2:] = 1.0  # each pair (0, 2), (1, 3) is 1 apart per pixel
    z = torch.zeros(4, 8)
    z[2:] = 0.5  # and 0.5 apart per latent dimension: ratio 2
    assert mode_seeking_loss(fake, z).item() == pytest.approx(0.5, rel=1e-4)
    fake[3] = 0.0  # the second pair collapsed onto one image: mean ratio 1, a larger loss
    assert mode_seeking_loss(fake, z).item() == pytest.approx(1.0, rel=1e-4)


def test_pair_labels_repeats_the_first_half_and_keeps_an_odd_last_label():
    assert pair_labels(torch.tensor([3, 1, 4, 1, 5])).tolist() == [3, 1, 3, 1, 5]
    assert pair_labels(torch.tensor([2, 7, 0, 9])).tolist() == [2, 7, 2, 7]


def test_generator_step_with_mode_seeking_reports_and_follows_the_term():
    results = {}
    for weight in (0.0, 0.5):
        state = tiny_state()
        rng = torch.Generator().manual_seed(2)
        z = torch.randn(8, G_CONFIG.z_dim, generator=rng)
        labels = pair_labels(torch.randint(0, 10, (8,), generator=rng))
        losses = generator_step(state.D, state.opt_g, state.G(z, labels), labels, 0.2, z=z, mode_seeking=weight)
        assert set(losses) == ({"g", "aux_g", "ms"} if weight else {"g", "aux_g"})
        results[weight] = params(state.G)
    assert losses["ms"].item() > 0
    assert any(not torch.equal(a, b) for a, b in zip(results[0.0], results[0.5], strict=True))


def test_generator_step_with_mode_seeking_but_no_latents_names_what_is_missing():
    state = tiny_state()
    z = torch.randn(8, G_CONFIG.z_dim)
    labels = pair_labels(torch.arange(8) % 10)
    before = params(state.G)
    with pytest.raises(ValueError, match=r"mode_seeking=0.1 needs z"):
        generator_step(state.D, state.opt_g, state.G(z, labels), labels, 0.2, mode_seeking=0.1)
    assert all(torch.equal(a, b) for a, b in zip(before, params(state.G), strict=True))  # refused before any update


def test_ema_update_moves_by_one_minus_decay_and_copies_buffers():
    torch.manual_seed(0)
    model, ema = DigitGenerator(G_CONFIG), DigitGenerator(G_CONFIG)
    model.bn1.bn.running_mean.fill_(3.0)
    start = params(ema)
    update_ema(ema, model, decay=0.75)
    for p0, p, p_ema in zip(start, model.parameters(), ema.parameters(), strict=True):
        torch.testing.assert_close(p_ema, 0.75 * p0 + 0.25 * p.detach())
    assert torch.equal(ema.bn1.bn.running_mean, model.bn1.bn.running_mean)
    assert ema_decay(0, 0.999) == pytest.approx(0.1) and ema_decay(10**6, 0.999) == 0.999  # warm-up, then the cap


def test_ema_update_of_a_network_without_buffers_and_of_a_different_network():
    """A network with no buffers (no BatchNorm) updates too; two different networks are refused."""
    model, ema = torch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    start = [p.detach().clone() for p in ema.parameters()]
    update_ema(ema, model, decay=0.5)
    for p0, p, p_ema in zip(start, model.parameters(), ema.parameters(), strict=True):
        torch.testing.assert_close(p_ema, 0.5 * p0 + 0.5 * p.detach())
    with pytest.raises(ValueError, match="same network"):
        update_ema(torch.nn.Linear(3, 2), torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 2)), 0.5)


def test_learning_rate_is_constant_for_half_the_run_then_decays_to_zero():
    assert [lr_factor(s, 100) for s in (0, 49, 50, 75, 100)] == [1.0, 1.0, 1.0, 0.5, 0.0]
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = half_then_linear(opt, 4)
    lrs = []
    for _ in range(4):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs == pytest.approx([0.1, 0.1, 0.1, 0.05])


def test_batchnorm_recalibration_is_reproducible_and_leaves_eval_mode():
    torch.manual_seed(0)
    G = DigitGenerator(G_CONFIG)
    recalibrate_bn(G, batches=2, batch_size=16)
    first = G.bn0.bn.running_var.clone()
    assert not G.training and not torch.equal(first, torch.ones_like(first))  # re-estimated, not the reset value
    G.bn0.bn.running_var.fill_(5.0)
    recalibrate_bn(G, batches=2, batch_size=16)
    assert torch.equal(G.bn0.bn.running_var, first) and G.bn0.bn.momentum == 0.1


def test_checkpoint_state_round_trips_through_a_safe_load():
    state = tiny_state()
    real, real_labels, fake, fake_labels = batch(state)
    discriminator_step(state.D, state.opt_d, real, real_labels, fake, fake_labels, 1.0)
    generator_step(state.D, state.opt_g, fake, fake_labels, 0.2)
    state.sched_g.step()
    state.step, state.history = 1, [[1, 0.5, 0.5, 2.0, 2.0]]
    random.seed(5)
    np.random.seed(5)
    buffer = io.BytesIO()
    torch.save(state.state_dict(args={"seed": 0}), buffer)
    expected = (torch.randn(3, generator=state.noise_rng), torch.randn(3), random.random(), np.random.rand())

    restored = tiny_state()
    restored.load_state_dict(torch.load(io.BytesIO(buffer.getvalue()), weights_only=True))
    assert restored.step == 1 and restored.history == state.history
    for name in ("G", "D", "G_ema"):
        for (key, a), b in zip(getattr(state, name).state_dict().items(),
                               getattr(restored, name).state_dict().values(), strict=True):
            assert torch.equal(a, b), (name, key)
    assert restored.opt_g.state_dict()["state"][0]["step"] == 1 and restored.sched_g.last_epoch == 1
    again = (torch.randn(3, generator=restored.noise_rng), torch.randn(3), random.random(), np.random.rand())
    assert torch.equal(again[0], expected[0]) and torch.equal(again[1], expected[1]) and again[2:] == expected[2:]


def test_a_checkpoint_of_other_networks_is_refused():
    other = GanTrainState.create(GeneratorConfig(z_dim=8, embed_dim=4, channels=32), D_CONFIG, lr_g=1e-3, lr_d=1e-3,
                                 betas=(0.5, 0.999), total_steps=10, noise_seed=1)
    with pytest.raises(ValueError, match=r"different model config \(.*\): G channels: checkpoint 32, this run 16$"):
        tiny_state().load_state_dict(other.state_dict())


def test_a_checkpoint_from_before_output_gain_resumes_as_plain_tanh_and_names_a_mismatch():
    old = tiny_state().state_dict()
    del old["g_config"]["output_gain"]  # checkpoints written before the field existed
    tiny_state().load_state_dict(old)  # this run's gain is the default 1.0: the same networks, so it resumes
    clipped = GanTrainState.create(dataclasses.replace(G_CONFIG, output_gain=1.2), D_CONFIG, lr_g=1e-3, lr_d=1e-3,
                                   betas=(0.5, 0.999), total_steps=10, noise_seed=1)
    with pytest.raises(ValueError, match=r"G output_gain: checkpoint 1.0, this run 1.2$"):
        clipped.load_state_dict(old)
    newer = tiny_state().state_dict()
    newer["d_config"]["depth"] = 5
    with pytest.raises(ValueError, match="its D config has fields this version does not know"):
        tiny_state().load_state_dict(newer)


class FixedMap(torch.nn.Module):
    """Stands in for D's last convolution: returns the given (B, 4C, 3, 3) map whatever comes in."""

    def __init__(self, feature_map: torch.Tensor):
        super().__init__()
        self.feature_map = feature_map

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.feature_map


def test_linear_pooling_tells_where_a_feature_is_and_sum_pooling_does_not():
    """One feature in the top-left or the bottom-right corner of D's last 3x3 map: the sum sees the same thing."""
    corners = torch.zeros(2, 4 * D_CONFIG.channels, 3, 3)
    corners[0, 0, 0, 0] = corners[1, 0, 2, 2] = 1.0
    images = torch.zeros(2, 1, 28, 28)
    for pooling, same in (("sum", True), ("linear", False)):
        torch.manual_seed(0)
        D = Discriminator(dataclasses.replace(D_CONFIG, pooling=pooling)).eval()
        D.conv4 = FixedMap(corners)
        features = D.features(images)  # (2, 4C)
        assert features.shape == (2, 4 * D_CONFIG.channels)
        assert torch.equal(features[0], features[1]) == same, pooling


def largest_stretch_of_pooling(D: Discriminator, feature_map: torch.Tensor) -> float:
    """The spectral norm of D.features' Jacobian with respect to its last map (4C, 3, 3) at `feature_map` (replaces
    D.conv4 with that map)."""
    D.conv4 = FixedMap(feature_map[None])
    images = torch.zeros(1, 1, 28, 28)

    def features_of(last_map):
        D.conv4.feature_map = last_map[None]  # (1, 4C, 3, 3)
        return D.features(images)[0]  # (4C,)

    jacobian = torch.autograd.functional.jacobian(features_of, feature_map)  # (4C, 4C, 3, 3)
    return torch.linalg.matrix_norm(jacobian.flatten(1), ord=2).item()


def test_both_poolings_stretch_ds_last_map_by_at_most_3_and_linear_pooling_by_3_where_it_is_linear():
    """Linear pooling's x3 keeps the sum's bound on D's slope (model/networks.py): never above 3, and 3 exactly
    where its leaky_relus pass their inputs unchanged."""
    channels = 4 * D_CONFIG.channels
    torch.manual_seed(0)
    positive_maps = [torch.rand(channels, 3, 3) + 0.1 for _ in range(5)]  # where leaky_relu passes the map as it is
    mixed_maps = [torch.randn(channels, 3, 3) for _ in range(5)]
    for pooling in ("sum", "linear"):
        D = Discriminator(dataclasses.replace(D_CONFIG, pooling=pooling))
        if pooling == "linear":
            for _ in range(100):  # more power iterations: spectral norm's estimate converges to within 1e-3
                D.pool(torch.zeros(1, channels * 9))
        D.eval()
        stretches = [largest_stretch_of_pooling(D, m) for m in positive_maps + mixed_maps]
        assert max(stretches) <= 3 * (1 + 1e-3), (pooling, stretches)
        if pooling == "linear":  # a large bias keeps the layer's outputs positive: its leaky_relu passes them too
            with torch.no_grad():
                D.pool.bias.fill_(100.0)
            stretches = [largest_stretch_of_pooling(D, m) for m in positive_maps]
        # the sum adds 9 copies of a position's change, the spectrally normalised layer stretches its top direction
        # once: both 3 times (without linear pooling's x3, it would be 1)
        assert abs(max(stretches[:5]) - 3) <= 3e-3, (pooling, stretches)


def test_linear_pooling_leaves_the_other_layers_initial_weights_as_they_were():
    """Its layer is made last, so a seed gives a sum-pooling D and a linear-pooling D the same other weights."""
    torch.manual_seed(0)
    summed = Discriminator(D_CONFIG).state_dict()
    torch.manual_seed(0)
    linear = Discriminator(dataclasses.replace(D_CONFIG, pooling="linear")).state_dict()
    assert set(linear) - set(summed) and all(key.startswith("pool.") for key in set(linear) - set(summed))
    assert all(torch.equal(summed[key], linear[key]) for key in summed)


def test_linear_pooling_trains_and_an_unknown_pooling_is_refused_by_name():
    state = tiny_state(d_config=dataclasses.replace(D_CONFIG, pooling="linear"))
    real, real_labels, fake, fake_labels = batch(state)
    before = params(state.D.pool)
    discriminator_step(state.D, state.opt_d, real, real_labels, fake, fake_labels, aux_weight=1.0)
    assert changed(before, state.D.pool)
    with pytest.raises(ValueError, match=r"^pooling must be one of sum, linear, got 'max'$"):
        Discriminator(dataclasses.replace(D_CONFIG, pooling="max"))


def test_a_checkpoint_from_before_d_pooling_resumes_as_sum_and_names_a_mismatch():
    old = tiny_state().state_dict()
    del old["d_config"]["pooling"]  # checkpoints written before the field existed summed over positions
    tiny_state().load_state_dict(old)
    linear = tiny_state(d_config=dataclasses.replace(D_CONFIG, pooling="linear"))
    with pytest.raises(ValueError, match=r"D pooling: checkpoint sum, this run linear$"):
        linear.load_state_dict(old)


@pytest.mark.parametrize("batch_size, group", [(8, 4), (6, 3), (2, 2), (5, 5), (1, 1)])
def test_the_minibatch_std_channel_is_each_groups_mean_feature_spread(batch_size, group):
    h = torch.randn(batch_size, 3, 7, 7, generator=torch.Generator().manual_seed(0))
    channel = minibatch_std_channel(h)
    assert channel.shape == (batch_size, 1, 7, 7)
    for start in range(0, batch_size, group):
        members = h[start : start + group].double()
        spread = (members.var(dim=0, unbiased=False) + 1e-8).sqrt().mean().item()
        assert torch.allclose(channel[start : start + group].double(), torch.tensor(spread, dtype=torch.double),
                              atol=1e-6), (start, spread)


def test_minibatch_std_lets_d_see_its_group_and_only_its_group():
    """An image's score changes with the other images of its group of 4, and not with those of another group;
    weight 0 adds no channel, and a negative weight is refused by name."""
    D = Discriminator(dataclasses.replace(D_CONFIG, minibatch_std=1.0)).eval()
    images = torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(3)) * 2 - 1
    labels = torch.arange(8) % 10
    with torch.no_grad():
        scores = D(images, labels)[0]
        same_image_other_group = images.clone()
        same_image_other_group[4:] = -1  # the second group becomes blank images
        changed_scores = D(same_image_other_group, labels)[0]
        same_image_own_group = images.clone()
        same_image_own_group[1:4] = -1  # image 0's group-mates become blank
        own_scores = D(same_image_own_group, labels)[0]
    assert torch.equal(scores[:4], changed_scores[:4])  # the first group's scores do not see the second group
    assert not torch.allclose(scores[0], own_scores[0])  # image 0 unchanged, its group's spread changed
    assert D.conv4.in_channels == 2 * D_CONFIG.channels + 1
    assert Discriminator(D_CONFIG).conv4.in_channels == 2 * D_CONFIG.channels
    with pytest.raises(ValueError, match=r"^minibatch_std must be a finite number, 0 \(none\) or above, got -0.5$"):
        Discriminator(dataclasses.replace(D_CONFIG, minibatch_std=-0.5))


def test_a_checkpoint_from_before_minibatch_std_resumes_without_it_and_names_a_mismatch():
    old = tiny_state().state_dict()
    del old["d_config"]["minibatch_std"]  # checkpoints written before the field existed had no such channel
    tiny_state().load_state_dict(old)
    with pytest.raises(ValueError, match=r"D minibatch_std: checkpoint 0.0, this run 0.5$"):
        tiny_state(d_config=dataclasses.replace(D_CONFIG, minibatch_std=0.5)).load_state_dict(old)


def test_the_generators_self_attention_learns_once_its_gain_has_moved():
    """Its gain starts at 0 (the block is the identity, so its layers get no gradient): G's first step moves the
    gain, and the second then moves the query, key and value layers too."""
    state = tiny_state(g_config=dataclasses.replace(G_CONFIG, attention=True))
    attention = state.G.attention
    layers = {name: params(getattr(attention, name)) for name in ("query", "key", "value")}
    assert attention.gain.item() == 0
    for _ in range(2):
        _, _, fake, fake_labels = batch(state)
        generator_step(state.D, state.opt_g, fake, fake_labels, aux_weight=1.0)
    assert attention.gain.item() != 0
    assert all(changed(before, getattr(attention, name)) for name, before in layers.items())


@pytest.mark.parametrize("gan_loss", ["hinge", "logistic"])
def test_rarity_weights_of_one_change_no_update_and_other_weights_do(gan_loss):
    """Each step with every weight 1 updates its network exactly as with no weights; uneven weights (mean 1 still)
    update it otherwise, in D's step through the reals' weights and through the fakes'."""
    size = 8
    uneven = torch.linspace(0.2, 1.8, size)

    def d_after(**weights) -> list[torch.Tensor]:
        state = tiny_state()
        real, real_labels, fake, fake_labels = batch(state, size)
        discriminator_step(state.D, state.opt_d, real, real_labels, fake, fake_labels, 1.0, gan_loss=gan_loss,
                           **weights)
        return params(state.D)

    def g_after(**weights) -> list[torch.Tensor]:
        state = tiny_state()
        _, _, fake, fake_labels = batch(state, size)
        generator_step(state.D, state.opt_g, fake, fake_labels, 0.5, gan_loss=gan_loss, **weights)
        return params(state.G)

    def same(a, b) -> bool:
        return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))

    ones = torch.ones(size)
    assert same(d_after(), d_after(real_weight=ones, fake_weight=ones))
    assert same(g_after(), g_after(fake_weight=ones))
    assert not same(d_after(), d_after(real_weight=uneven))
    assert not same(d_after(), d_after(fake_weight=uneven))
    assert not same(g_after(), g_after(fake_weight=uneven))
