"""The demo centre's service-area table: loaded once (a second seed adds nothing), every
rule's unit a demo branch, and every sample address answered as the table was made to;
the samples page shows those answers."""

from __future__ import annotations

import pytest

from postdesk.routing import demo
from postdesk.routing.models import ServiceArea
from postdesk.routing.selectors import route_address

pytestmark = pytest.mark.django_db


def test_the_demo_table_loads_once(org):
    demo.seed()
    first = sorted(ServiceArea.objects.values_list("unit__code", "district", "town", "keywords"))
    assert len(first) == len(demo.AREAS)
    demo.seed()
    assert ServiceArea.objects.count() == len(demo.AREAS)
    assert {code for code, *_ in first} >= {"WZ-LC01", "WZ-LW01", "WZ-OH01", "WZ-DT01", "RA-02"}


@pytest.mark.parametrize("sample", demo.SAMPLES, ids=lambda s: s.address)
def test_every_sample_gets_its_answer(org, sample):
    demo.seed()
    result = route_address(address=sample.address)
    assert (result.status, tuple(result.candidate_codes)) == (sample.status, sample.units)


def test_the_samples_page(client_for, org):
    demo.seed()
    html = client_for("admin").get("/routing/samples/").content.decode()
    assert html.count("符合预期") == len(demo.SAMPLES) and "与预期不同" not in html
    assert "瑞安塘下镇韩田村" in html and "塘下支局（RA-02）" in html
    ServiceArea.objects.filter(unit__code="RA-02").delete()  # the table changed since
    from postdesk.routing.services import bump_version

    bump_version()
    html = client_for("admin").get("/routing/samples/").content.decode()
    assert html.count("与预期不同") == 1


def test_seeding_without_the_demo_organisation_adds_nothing(db):
    demo.seed()
    assert ServiceArea.objects.count() == 0
