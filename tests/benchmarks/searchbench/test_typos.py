import random

from rapidfuzz.distance import OSA

from benchmarks.searchbench.typos import edits_per_word, misspell


def test_misspell_makes_exactly_the_asked_number_of_edits() -> None:
    rng = random.Random(1)
    for word in ("keyboard", "wireless", "headphones", "granite"):
        for edits in (1, 2, 3):
            damaged = misspell(word, edits, rng)
            assert damaged is not None
            assert OSA.distance(word, damaged) == edits


def test_edits_per_word_leaves_short_words_alone_and_caps_the_rest() -> None:
    rng = random.Random(2)
    for _ in range(50):
        plan = edits_per_word([3, 5, 9], 3, rng)
        assert plan is not None
        assert plan[0] == 0 and plan[1] <= 1 and sum(plan) == 3
    assert edits_per_word([3, 2], 1, rng) is None
