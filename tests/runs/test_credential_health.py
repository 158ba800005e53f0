"""Credential health in the audit: CRD-001 once per dead credential (its accounts error, never
absent), CRD-002 before expiry, named credentials from rollcall.toml chosen per account, and an
unknown credential name refused with file and line before anything is sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scanner.config import load_config
from scanner.errors import ValidationError
from scanner.fetch.fake import FakeFetcher, FakeRequest, Reply
from scanner.model import AuditResult, FindingStatus, ObservationStatus
from scanner.platforms.connectors import ApiAccess
from scanner.runs.audit import AuditOptions, prepare_audit, run_audit
from tests.fetch.conftest import FakeClock

FIXTURES = Path(__file__).parents[1] / "platforms" / "api" / "fixtures"
EPOCH = 1_800_000_000.0

INVENTORY = """\
organization:
  name: Copper Kettle
  aliases: [Copper Kettle]
  roster: roster.csv
accounts:
  - id: fb-main
    platform: facebook
    handle: copperkettleroasters
    status: active
  - id: fb-pearl
    platform: facebook
    handle: copperkettlepearl
    status: active
  - id: ig-main
    platform: instagram
    handle: copperkettlecoffee
    status: active
  - id: x-main
    platform: x
    handle: CopperKettleCo
    status: active
    credential: emea-x
"""

ROSTER = """\
email,name,department,role,status,start_date,end_date,policy_acknowledged
ada@copperkettle.example,Ada Quill,Marketing,employee,active,2020-01-06,,2026-01-10
"""

CONFIG = """\
[credentials.emea-x]
api = "x-api"
env = "EMEA_X_TOKEN"
"""


def _files(tmp_path: Path, inventory: str = INVENTORY) -> tuple[Path, Path]:
    (tmp_path / "inventory.yaml").write_text(inventory, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "rollcall.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path / "inventory.yaml", tmp_path / "rollcall.toml"


def _reply(name: str, status: int = 200) -> Reply:
    return Reply(status, (FIXTURES / name).read_bytes(), {"content-type": "application/json"})


def _audit(
    tmp_path: Path, meta: dict[str, Reply], monkeypatch: pytest.MonkeyPatch
) -> tuple[AuditResult, FakeFetcher]:
    monkeypatch.setenv("ROLLCALL_META_TOKEN", "meta-secret-token")
    monkeypatch.setenv("EMEA_X_TOKEN", "emea-secret-token")
    monkeypatch.delenv("ROLLCALL_X_TOKEN", raising=False)
    inventory, config = _files(tmp_path)

    def answer(request: FakeRequest) -> Reply | None:
        if request.platform == "x-api" and request.credential == "emea-x":
            return _reply("x/user_present.json")
        path = request.url.split("?")[0]
        return next((r for suffix, r in meta.items() if path.endswith(suffix)), None)

    fake = FakeFetcher(answer, clock=FakeClock(epoch=EPOCH))
    result = run_audit(
        prepare_audit(AuditOptions(inventory, use_history=False)),
        fetchers=fake.factory(),
        store=None,
        clock=FakeClock(epoch=EPOCH),
        access=ApiAccess.from_config(load_config(config)),
    )
    return result, fake


def test_a_dead_credential_raises_crd_001_once_and_no_account_is_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = _reply("meta/fb_error_190_466_invalidated.json", 400)
    result, fake = _audit(tmp_path, {"/debug_token": dead, "/": dead}, monkeypatch)
    statuses = {a.account.id: a.observation.status for a in result.accounts if a.observation}
    assert statuses == {
        "fb-main": ObservationStatus.ERROR,
        "fb-pearl": ObservationStatus.ERROR,
        "ig-main": ObservationStatus.ERROR,
        "x-main": ObservationStatus.PRESENT,  # its named credential is alive
    }
    crd = [f for f in result.findings if f.rule_id.startswith("CRD-")]
    assert [(f.rule_id, f.status, f.evidence["credential"]) for f in crd] == [
        ("CRD-001", FindingStatus.FAIL, "ROLLCALL_META_TOKEN")
    ]
    assert crd[0].evidence["accounts"] == ["fb-main", "fb-pearl", "ig-main"]
    assert "invalidated" in crd[0].message
    x_calls = [r for r in fake.requests if r.platform == "x-api"]
    assert [r.credential for r in x_calls] == ["emea-x"]


def test_a_credential_expiring_within_14_days_warns_with_crd_002(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    soon = datetime.fromtimestamp(EPOCH, UTC) + timedelta(days=5)
    token = json.loads((FIXTURES / "meta/debug_token_system_user.json").read_text())
    token["data"]["expires_at"] = int(soon.timestamp())
    health = Reply(200, json.dumps(token), {"content-type": "application/json"})
    meta = {
        "/debug_token": health,
        "/v25.0/": _reply("meta/fb_pages_batch.json"),
        "/published_posts": _reply("meta/fb_published_posts_p1.json"),
    }
    result, _ = _audit(tmp_path, meta, monkeypatch)
    crd = [f for f in result.findings if f.rule_id.startswith("CRD-")]
    assert [(f.rule_id, f.status) for f in crd] == [("CRD-002", FindingStatus.WARN)]
    assert crd[0].evidence["days_left"] == 5


def test_an_unknown_credential_name_is_bad_input_with_file_and_line(tmp_path: Path) -> None:
    inventory, config = _files(tmp_path, INVENTORY.replace("emea-x", "apac-x"))
    prepared = prepare_audit(AuditOptions(inventory, use_history=False))
    fake = FakeFetcher()
    with pytest.raises(ValidationError) as err:
        run_audit(
            prepared,
            fetchers=fake.factory(),
            store=None,
            access=ApiAccess.from_config(load_config(config)),
        )
    text = str(err.value)
    assert f"{inventory}:22" in text and "'apac-x'" in text and "emea-x" in text
    assert fake.requests == []


def test_a_named_credential_table_takes_names_of_variables_never_secrets(tmp_path: Path) -> None:
    path = tmp_path / "rollcall.toml"
    path.write_text('[credentials.emea]\napi = "x-api"\nenv = "sk-live-123"\n', encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_config(path)
    assert "NAME of an environment variable" in str(err.value)
    path.write_text('[credentials.emea]\napi = "x-api"\ntoken = "sk-live-123"\n', encoding="utf-8")
    with pytest.raises(ValidationError):
        load_config(path)
