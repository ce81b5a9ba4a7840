"""What users run, on top of the library: the command line (cli/, the only code that reads flags
or prints), the page and its server (serve/), the pictures (plots/), and what the command line
and the server share: which network a run trains and how it is named (networks.py), recipes
compared side by side (recipes.py), how a prediction is read out (answers.py).
Layering: cli may use everything; serve uses the shared modules, never cli or plots.
"""
