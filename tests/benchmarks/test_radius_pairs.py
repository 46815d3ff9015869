"""benchmarks.radius_pairs counts what a person is told, with each row's own radius and with the default."""
from benchmarks.radius_pairs import measure
from matcher.inputs import PostingInput, SeekerInput


def test_a_pair_at_a_tight_street_moves_from_cannot_tell_to_figures(service):
    service.upsert_postings([PostingInput(title="小区保安员", requirements="持保安员证", street="豫园街道")])
    service.create_seeker(SeekerInput(resume_text="做过保安", consent=True, street="豫园街道"))
    out = measure(service)
    match = out["match_street"]  # both rows stored: 2.0 + 2.0 km before, 1.0 + 1.0 km now
    assert match["pairs"] == 1 and match["before"]["no_figures"] == 1 and match["after"]["no_figures"] == 0
    assert match["after"]["range"] == 1 and match["gained_figures"] == 1 and match["lost_figures"] == 0
    nearby = out["nearby_street"]  # a /nearby origin always had its resolver radius: 1.0 + 2.0 km, now 1.0 + 1.0
    assert nearby["pairs"] == 1 and nearby["before"]["no_figures"] == 0 and nearby["after"]["no_figures"] == 0
