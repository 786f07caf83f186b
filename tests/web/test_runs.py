"""A run's page: every action with the person it is for, everyone who needs a person with
the reason in words; a held run's plan before it is approved; other tenants see nothing."""

from __future__ import annotations

from rostersync.sandbox import PersonStatus
from rostersync.services import run_detail
from tests.web.conftest import Dash, key_for, visible


def test_every_action_and_everyone_who_needs_a_person_with_the_reason(dash: Dash) -> None:
    company = dash.harness.sandbox.company
    twin_of = company.get(dash.people_with_email(1)[0])
    twin = company.hire(first_name="Dana", last_name="Twin", work_email=twin_of.work_email)
    no_email = [p for p in company.people() if p.status is PersonStatus.ACTIVE and not p.work_email]
    assert no_email, "the synthetic company always has someone without a work email"
    report = dash.harness.sync()
    assert report.counts["needs_a_person"] >= 2

    page = dash.client.get(f"/dashboard/runs/{report.run_id}")
    assert page.status_code == 200
    text, cells = visible(page.text)
    assert f"Actions ({report.counts['provision']})" in text
    invited = [a for a in report.actions if a.kind == "provision"]
    first = company.get(invited[0].remote_id)
    assert f"{first.first_name} {first.last_name} HR id {first.id}" in cells
    assert "Invite" in cells
    # Who needs a person, by name where we store them, and why in words.
    person = no_email[0]
    at = cells.index(f"{person.first_name} {person.last_name} HR id {person.id}")
    assert cells[at + 1].startswith("No work email in the HR system")
    at = next(i for i, c in enumerate(cells) if c.endswith(f"HR id {twin.id}"))
    assert cells[at + 1].startswith("Someone else has the same work email")
    assert "no_work_email" not in text
    assert "duplicate_work_email" not in text


def test_a_held_run_shows_the_actions_it_would_take(dash: Dash) -> None:
    held = dash.hold_a_run()
    page = dash.client.get(f"/dashboard/runs/{held}")
    text, cells = visible(page.text)
    assert "Actions it would take (12)" in text
    assert cells.count("Remove access") == 12
    assert f"/dashboard/runs/{held}/approve" in page.text
    approve = dash.post(f"/dashboard/runs/{held}/approve")
    assert approve.status_code == 303
    text, cells = visible(dash.client.get(f"/dashboard/runs/{held}").text)
    assert "Succeeded" in cells
    assert "Actions (12)" in text


def test_a_long_run_is_paged(dash: Dash) -> None:
    company = dash.harness.sandbox.company
    for n in range(run_detail.PAGE_SIZE + 10 - len(company.people())):
        company.hire(first_name="Extra", last_name=f"Hire{n}")
    report = dash.harness.sync()
    total = report.counts["provision"]
    assert total > run_detail.PAGE_SIZE
    first = visible(dash.client.get(f"/dashboard/runs/{report.run_id}").text)[1]
    second_page = dash.client.get(f"/dashboard/runs/{report.run_id}", params={"page": 2})
    second = visible(second_page.text)[1]
    assert first.count("Invite") == run_detail.PAGE_SIZE
    assert second.count("Invite") == total - run_detail.PAGE_SIZE
    assert "Page 2 of 2" in second_page.text
    assert (
        dash.client.get(f"/dashboard/runs/{report.run_id}", params={"page": 0}).status_code == 422
    )


def test_another_tenants_run_is_not_found(dash: Dash, other_tenant: str) -> None:
    report = dash.harness.sync()
    dash.sign_in(key_for(dash.store, other_tenant))
    assert dash.client.get(f"/dashboard/runs/{report.run_id}").status_code == 404
    asked_for = {"tenant": dash.harness.tenant_id}
    assert dash.client.get(f"/dashboard/runs/{report.run_id}", params=asked_for).status_code == 404
    dash.sign_in(dash.admin_key)
    assert dash.client.get(f"/dashboard/runs/{report.run_id}", params=asked_for).status_code == 200
    elsewhere = {"tenant": other_tenant}
    assert dash.client.get(f"/dashboard/runs/{report.run_id}", params=elsewhere).status_code == 404
    dash.client.cookies.clear()
    anonymous = dash.client.get(f"/dashboard/runs/{report.run_id}")
    assert anonymous.headers["location"] == "/dashboard/login"


def test_a_disconnected_connections_people_are_shown_by_id(dash: Dash) -> None:
    report = dash.harness.sync()
    form = dash.post(
        f"/dashboard/connections/{dash.harness.connection_id}/disconnect", confirm="hibob"
    )
    assert form.status_code == 303
    _, cells = visible(dash.client.get(f"/dashboard/runs/{report.run_id}").text)
    assert f"HR id {report.actions[0].remote_id}" in cells  # the name went with the data
