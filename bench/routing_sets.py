"""The labelled routing sets (tests/data/appeals_NAME.jsonl) and what each one is for: one list, read
by build_seed (what the shipped model learns from), fit_calibration and crossval_routing."""

from __future__ import annotations

# Written apart from the router and learned from: the shipped model's seed appeals gather them, and
# crossval_routing holds each out in turn.
SEED_SETS = ("holdout", "second", "third", "fourth", "longform", "short_a", "short_c", "short_e", "train_p", "train_q",
             "train_r", "train_s", "train_t", "train_u", "train_v", "train_w", "train_x", "train_y",
             "train_z", "train_aa", "train_ab", "train_ac", "train_ad", "train_ae", "train_af", "train_ag",
             "train_ah", "train_ai", "lookalike_a")
# Written apart for training and not learned from yet: none now. train_af (300 city-style appeals) and train_ai
# (300 on taxonomy.md: ~90 emergencies in hard phrasings, ~90 look-alikes, ~120 ordinary) were each held back a round
# because, learned, the learned emergency head alone sent a flooded garage with nobody in it (tests/unit/router/data/
# urgent_check.jsonl) to 119 (0.58 at a3c132e, 0.56 with train_ai, LEARNED_ALONE 0.53). train_ai joined 2026-12-03
# beside lookalike_a: 46 short appeals written for the head (routefix), water coming into a garage, a basement, a
# shop, a yard, a road or a field now with nobody held (40), and the same places with someone held (6, 119 / 120).
NOT_YET_LEARNED: tuple[str, ...] = ()
# Written apart and only ever measured (aggregates): never read, never tuned on, never learned from.
NEVER_TUNED = ("short_b", "short_d", "short_w", "short_x", "longform_b", "short_y", "longform_c", "short_z", "short_aa",
               "short_ab", "short_ac", "longform_d", "short_ad", "short_ae", "longform_e", "short_af",
               "longform_f")
