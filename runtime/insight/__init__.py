"""See why a trained network decides: prediction, attribution, adversarial examples, ablation,
what a channel looks for, receptive fields. Qt-free; Captum (the `insight` extra) does the
attribution
and the attacks."""
