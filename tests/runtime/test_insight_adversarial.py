"""FGSM and PGD on Captum, in pixel units."""

import numpy as np
import pytest
import torch

from runtime.insight.adversarial import attack_one, perturb, robust_accuracy, robustness_curve
from runtime.insight.errors import InsightSettingError
from tests.runtime.insight_helpers import needs_captum, session_for
from tests.runtime.training_helpers import tiny_project

pytestmark = needs_captum


def _session():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (40, 1, 8, 8), dtype=np.uint8)
    labels = rng.integers(0, 10, 40)
    return session_for(tiny_project(), images, labels, tuple(str(i) for i in range(10)))


@pytest.mark.parametrize("method", ["fgsm", "pgd"])
def test_eps_zero_changes_nothing(method):
    session = _session()
    x, y = session.val_pixels()
    adversarial = perturb(session, x, y, 0.0, method)
    assert torch.equal(adversarial, x)
    attack = attack_one(session, x[0], 0.0, method)
    assert torch.equal(attack.perturbation, torch.zeros_like(x[0]))
    assert torch.equal(attack.before.argmax(), attack.after.argmax())


@pytest.mark.parametrize("method", ["fgsm", "pgd"])
def test_perturbation_stays_within_eps_and_the_pixel_range(method):
    session = _session()
    x, y = session.val_pixels()
    adversarial = perturb(session, x, y, 0.05, method)
    assert (adversarial - x).abs().max() <= 0.05 + 1e-6
    assert adversarial.min() >= 0 and adversarial.max() <= 1
    assert not torch.equal(adversarial, x)


def test_attacks_raise_the_loss_and_accuracy_falls_with_eps():
    session = _session()
    x, y = session.val_pixels()
    loss = torch.nn.functional.cross_entropy
    with torch.no_grad():
        clean = loss(session.model(x), y)
        attacked = loss(session.model(perturb(session, x, y, 0.1, "pgd")), y)
    assert attacked > clean
    eps, accuracy = robustness_curve(session, 0.2, points=3, limit=None)
    assert list(eps) == [0.0, 0.1, 0.2]
    assert accuracy[0] == robust_accuracy(session, 0.0)
    assert accuracy[-1] <= accuracy[0]


@pytest.mark.parametrize("eps", [-0.1, 1.5, float("nan"), float("inf")])
def test_bad_eps_is_named(eps):
    session = _session()
    x, y = session.val_pixels(2)
    with pytest.raises(InsightSettingError, match="eps"):
        perturb(session, x, y, eps)
