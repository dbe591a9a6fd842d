"""Run history: every training run recorded beside its project, listed, labelled, diffed and
swept."""
