"""matching stage.

Pure and hot: nothing here does I/O except reading a topic file and, in ``commands``,
the streams and files the CLI hands over.

    text          folding (case, accents, dashes) with offsets back to the original
    scanner       one Aho-Corasick pass finds every topic term (whole words, prefixes)
    topic         the topic definition (seeds/topics/*.toml) loaded and compiled
    features      hits → relevance features (sides, proximity, acts, negative cues)
    classifier    classify(topic, title, text, lang) → monitor.models.Classification
    model/        the learned second opinion: a linear model that may veto a relevant verdict
    baseline      the co-occurrence baseline the classifier is measured against
    evaluation    precision/recall/F1, category and country agreement, per language
    bootstrap     seeded percentile-bootstrap confidence intervals (for evaluation)
    eval_report   ``monitor eval``'s text and JSON
    query/        stored-query language: lexer → parser → AST → evaluator, presearch, lint
    matcher       QueryMatcher (presearch index) and NaiveMatcher (oracle, baseline)
    commands      what ``monitor classify``, ``monitor eval`` and ``monitor query test`` call
"""
