"""The labelled routing sets (tests/data/appeals_NAME.jsonl) and what each one is for: one list, read
by build_seed (what the shipped model learns from), fit_calibration and crossval_routing."""

from __future__ import annotations

# Written apart from the router and learned from: the shipped model's seed appeals gather them, and
# crossval_routing holds each out in turn.
SEED_SETS = ("holdout", "second", "third", "fourth", "longform", "short_a", "short_c", "short_e", "train_p", "train_q",
             "train_r", "train_s", "train_t", "train_u", "train_v", "train_w", "train_x", "train_y",
             "train_z", "train_aa", "train_ab", "train_ac", "train_ad", "train_ae")
# Written apart for training and not learned from yet: train_af (300 city-style appeals, 2026-12-02) made the
# learned emergency head alone send two look-alikes to 119 (a paper-burning smoke, a flooded garage) when it joined
# the seed; it waits for that head to be steadier.
NOT_YET_LEARNED = ("train_af",)
# Written apart and only ever measured (aggregates): never read, never tuned on, never learned from.
NEVER_TUNED = ("short_b", "short_d", "short_w", "short_x", "longform_b", "short_y", "longform_c", "short_z", "short_aa",
               "short_ab", "short_ac", "longform_d", "short_ad", "short_ae", "longform_e", "short_af",
               "longform_f")
