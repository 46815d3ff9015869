"""`evaluation.occupation_eval`: the default encoder is the product's, and `--compare` pairs two encoders
on the same titles (a difference of a coder with itself is exactly zero)."""
from evaluation import occupation_eval
from matcher.occupations.coder import OccupationCoder
from matcher.settings import Settings
from models.encoder import HashingEncoder


def test_default_encoder_is_the_products():
    import inspect

    assert 'Settings.model_fields["encoder"].default' in inspect.getsource(occupation_eval.main)
    assert Settings.model_fields["encoder"].default == "m3e-small-onnx-int8"


def test_paired_comparison_of_two_encoders():
    splits = occupation_eval.load_splits()
    small = {k: (v[0][:20], v[1][:20]) for k, v in splits.items()}
    a, b = OccupationCoder(HashingEncoder(128)).fit(), OccupationCoder(HashingEncoder(64)).fit()
    same = occupation_eval.paired_comparison(a, a, small)
    assert set(same["split"]) == {"jobboard TEST", "hand-written holdout"}
    assert all(d.startswith("+0.000 [+0.00,+0.00]") for d in same["difference [95% CI]"])
    other = occupation_eval.paired_comparison(a, b, small)
    assert len(other) == 8 and {"hashing-128", "hashing-64"} <= set(other.columns)
