"""Learning-rate schedules: values worked out by hand at the steps where they change."""

import math
import re

import pytest

from digitnet.errors import DigitnetError
from digitnet.optim.schedules import learning_rate


def test_step_schedule_divides_by_10_at_half_and_by_100_at_three_quarters():
    rates = [learning_rate("step", 1.0, step, 100) for step in (0, 49, 50, 74, 75, 99, 100)]
    assert rates == [1.0, 1.0, 0.1, 0.1, 0.01, 0.01, 0.01]


def test_warmup_rises_linearly_then_the_schedule_starts_from_its_top():
    # 4 warm-up steps of 20: lr / 4, 2 lr / 4, ...; then cosine over the remaining 16 steps
    warm = [learning_rate("cosine", 0.8, step, 20, warmup_steps=4) for step in range(5)]
    assert warm == pytest.approx([0.2, 0.4, 0.6, 0.8, 0.8], rel=1e-15)
    assert math.isclose(learning_rate("cosine", 0.8, 12, 20, warmup_steps=4), 0.4)  # half-way
    assert learning_rate("constant", 0.8, 1, 20, warmup_steps=4) == 0.4


def test_unknown_schedule_lists_the_choices():
    message = "unknown schedule 'linear'; choose one of constant, cosine, step"
    with pytest.raises(DigitnetError, match=re.escape(message)):
        learning_rate("linear", 0.1, 0, 10)


def test_step_schedule_and_warmup():
    assert learning_rate("step", 1.0, 0, 100) == 1.0
    assert learning_rate("step", 1.0, 49, 100) == 1.0
    assert learning_rate("step", 1.0, 50, 100) == pytest.approx(0.1)
    assert learning_rate("step", 1.0, 80, 100) == pytest.approx(0.01)
    assert learning_rate("cosine", 1.0, 4, 100, warmup_steps=10) == pytest.approx(0.5)
    assert learning_rate("cosine", 1.0, 10, 100, warmup_steps=10) == 1.0
    assert math.isclose(learning_rate("cosine", 1.0, 55, 100, warmup_steps=10), 0.5)


def test_a_runs_schedule_gives_each_epoch_its_steps_rates():
    """4 steps an epoch over 2 epochs, 1 epoch of warm-up: rates rise over the first epoch's
    steps, then decay along the cosine over the second's, as learning_rate gives them."""
    from digitnet.optim.schedules import Schedule

    schedule = Schedule("cosine", 0.8, epochs=2, steps_per_epoch=4, warmup=1.0)
    assert schedule.epoch(1) == pytest.approx([0.2, 0.4, 0.6, 0.8])
    second = [learning_rate("cosine", 0.8, step, 8, 4) for step in range(4, 8)]
    assert schedule.epoch(2) == pytest.approx(second) and second[0] == pytest.approx(0.8)
    assert Schedule("constant", 0.1, 3, 2, 0.0).epoch(3) == [0.1, 0.1]
