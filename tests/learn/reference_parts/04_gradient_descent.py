"""digitnet's answer, as a learner's file: the exercise's reference."""

from digitnet.learn.exercises_optim import sgd_reference as sgd_step  # noqa: F401
