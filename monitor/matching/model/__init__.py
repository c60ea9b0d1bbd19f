"""The learned second opinion: a small linear model beside the topic's rules.

    ngrams      word-bounded character n-grams of the folded text, hashed (crc32)
    signals     the rule features a model reads (named floats, one vector per story)
    linear      LinearModel: the weights file, its loading and pure-Python inference
    opinion     how the model's probability and the rules' verdict make one decision
    groups      near-duplicate groups of labeled items, so cross-validation does not leak
    train       fitting and cross-validation (needs scikit-learn: the ``train`` extra)

Inference needs nothing beyond the standard library; only ``train`` imports scikit-learn,
and only ``monitor model train`` / ``monitor model cv`` import ``train``.
"""
