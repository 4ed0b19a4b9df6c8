"""Console pages of operations and incidents: the operator plans and runs them through
forms (errors inline on their fields), a participating bureau reads them and does its
part, everyone else is turned away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from interlink.access import Role
from interlink.members.models import User
from tests.conftest import PASSWORD

Auth = Callable[[User], dict[str, str]]
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _signin(client: TestClient, user: User) -> str:
    """Signs ``user`` in (alone) and returns the CSRF token to post with."""
    client.cookies.clear()
    client.get("/signin")
    token = client.cookies.get("interlink_csrf") or ""
    done = client.post("/signin", data={"username": user.username, "password": PASSWORD,
                       "csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    return client.cookies.get("interlink_csrf") or token


def _post(client: TestClient, url: str, token: str, **form: str) -> Any:
    return client.post(url, data={"csrf_token": token, **form}, follow_redirects=False)


def test_the_operator_plans_and_runs_an_operation(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    client.app.state.clock = lambda: T0  # type: ignore[attr-defined]
    operator, france = make_user(Role.OPERATOR, "SEC"), make_user(Role.OFFICER, "FR")
    vehicle = {"plate": "GH-204-KT", "visibility": {"mode": "all_members"}}
    record = client.post("/api/v1/records/vehicles", json=vehicle, headers=auth(france)).json()
    token = _signin(client, operator)
    assert "Plan an operation" in client.get("/operations").text
    assert client.get("/operations/new").status_code == 200
    form = {"name": "", "objective": "Stop the ring", "countries": "FR, XX",
            "start_date": "2026-12-01", "records": record["id"]}  # fmt: skip
    refused = _post(client, "/operations/new", token, **form)
    assert refused.status_code == 422
    assert 'aria-describedby="name-error"' in refused.text
    assert 'value="FR, XX"' in refused.text  # what was typed stays
    bad_country = _post(client, "/operations/new", token, **(form | {"name": "Lionfish"}))
    assert 'aria-describedby="countries-error"' in bad_country.text
    assert "XX" in bad_country.text
    ghost = form | {"name": "Lionfish", "countries": "FR DE", "notices": "not-an-id"}
    assert 'aria-describedby="notices-error"' in _post(client, "/operations/new", token,
                                                         **ghost).text  # fmt: skip
    created = _post(client, "/operations/new", token, **(form | {"name": "Lionfish",
                    "countries": "fr de"}))  # fmt: skip
    assert created.status_code == 303
    page_url = created.headers["location"]
    assert page_url.startswith("/operations/OP-2026-")
    page = client.get(page_url)
    assert page.status_code == 200 and "Lionfish" in page.text
    assert f'href="/records/vehicles/{record["id"]}"' in page.text and "GH-204-KT" in page.text
    wrong_task = _post(client, f"{page_url}/tasks", token, title="Raid", country="IT")
    assert wrong_task.status_code == 422
    assert 'aria-describedby="task-country-error"' in wrong_task.text
    assert _post(client, f"{page_url}/tasks", token, title="Raid the port",
                 country="FR", due="2026-12-02").status_code == 303  # fmt: skip
    assert _post(client, f"{page_url}/step/activate", token).status_code == 303
    again = _post(client, f"{page_url}/step/activate", token)
    assert again.status_code == 409 and 'role="alert"' in again.text
    bad_count = _post(client, f"{page_url}/results", token, kind="arrest", country="FR",
                      count="0")  # fmt: skip
    assert 'aria-describedby="result-count-error"' in bad_count.text
    assert _post(client, f"{page_url}/results", token, kind="arrest", country="FR",
                 count="2", target_id="").status_code == 303  # fmt: skip
    assert _post(client, f"{page_url}/notes", token, text="Teams in position",
                 at="2026-12-02T05:30").status_code == 303  # fmt: skip
    shown = client.get(page_url).text
    assert ">active<" in shown and "Teams in position" in shown and "2026-12-02 05:30" in shown
    assert "<dt>arrest</dt><dd>2</dd>" in shown
    listed = client.get("/operations", params={"status": "active"}).text
    assert page_url in listed


def test_a_participating_bureau_reads_and_does_its_part(
    client: TestClient, make_user: Callable[..., User], auth: Auth
) -> None:
    operator, france = make_user(Role.OPERATOR, "SEC"), make_user(Role.OFFICER, "FR")
    italy, auditor = make_user(Role.OFFICER, "IT"), make_user(Role.AUDITOR, "SEC")
    body = {"name": "Sandstorm", "objective": "Firearms", "countries": ["FR", "DE"]}
    op = client.post("/api/v1/operations", json=body, headers=auth(operator)).json()
    path = f"/api/v1/operations/{op['id']}"
    client.post(f"{path}/tasks", json={"title": "Trace the rifles", "country": "FR"},
                headers=auth(operator))  # fmt: skip
    client.post(f"{path}/tasks", json={"title": "Watch the port", "country": "DE"},
                headers=auth(operator))  # fmt: skip
    token = _signin(client, france)
    assert "Sandstorm" in client.get("/operations").text
    page = client.get(f"/operations/{op['reference']}")
    assert page.status_code == 200 and "read only" in page.text
    assert "Add a task" not in page.text and "Activate" not in page.text
    assert page.text.count("Mark done") == 1  # its own task only
    assert client.get("/operations/new").status_code == 403
    task = next(t for t in client.get(path, headers=auth(france)).json()["tasks"]
                if t["country"] == "FR")  # fmt: skip
    done = _post(client, f"/operations/{op['reference']}/tasks/{task['id']}", token, done="1")
    assert done.status_code == 303 and "done by" in client.get(done.headers["location"]).text
    refused = _post(client, f"/operations/{op['reference']}/step/activate", token)
    assert refused.status_code == 403
    _signin(client, italy)
    assert client.get(f"/operations/{op['reference']}").status_code == 404
    assert "Sandstorm" not in client.get("/operations").text
    _signin(client, auditor)  # no records:read: refused before anything is looked up
    assert client.get("/operations").status_code == 403
    assert client.get(f"/operations/{op['id']}").status_code == 403


def test_incident_pages(client: TestClient, make_user: Callable[..., User]) -> None:
    operator, germany = make_user(Role.OPERATOR, "SEC"), make_user(Role.OFFICER, "DE")
    token = _signin(client, operator)
    assert client.get("/incidents/new").status_code == 200
    form = {"title": "Bomb threat", "description": "Anonymous call.", "country": "FR",
            "place": "Lyon Part-Dieu", "occurred_at": "yesterday", "team": "A. Moreau, leader",
            "requests": "DE: meet the 09:12 train at Frankfurt\nDE: check the cameras"}  # fmt: skip
    refused = _post(client, "/incidents/new", token, **form)
    assert refused.status_code == 422
    assert 'aria-describedby="occurred_at-error"' in refused.text
    form["occurred_at"] = "2026-11-28T07:40"
    bad_request = _post(client, "/incidents/new", token, **(form | {"requests": "QQ: x"}))
    assert 'aria-describedby="requests-error"' in bad_request.text
    created = _post(client, "/incidents/new", token, **form)
    assert created.status_code == 303
    page_url = created.headers["location"]
    page = client.get(page_url).text
    assert "A. Moreau · leader" in page and "2026-11-28 07:40 UTC" in page
    assert _post(client, f"{page_url}/step/deploy", token).status_code == 303
    empty = _post(client, f"{page_url}/team", token, name="", role="medic")
    assert 'aria-describedby="team-name-error"' in empty.text
    assert "Bomb threat" in client.get("/incidents").text
    token = _signin(client, germany)
    seen = client.get(page_url).text
    assert "read only" in seen and "Your answer" in seen and "Ask a member" not in seen
    request_id, other_id = (part.split("/answer")[0] for part in seen.split("/requests/")[1:3])
    # Each request has its own form: an error goes to the one posted, and only there.
    blank = _post(client, f"{page_url}/requests/{other_id}/answer", token, answer=" ")
    assert blank.status_code == 422
    assert f'aria-describedby="answer-{other_id}-answer-error"' in blank.text
    assert f"answer-{request_id}-answer-error" not in blank.text
    answered = _post(client, f"{page_url}/requests/{request_id}/answer", token,
                     answer="Two officers on the platform.")  # fmt: skip
    assert answered.status_code == 303
    assert "Two officers on the platform." in client.get(page_url).text
    assert client.get("/incidents/new").status_code == 403
