"""The ``api:`` block of a spec (issue 12): every owner API is declared in exactly one spec with
its hosts, base URL, version, token header and politeness; a broken block fails with file:line."""

from __future__ import annotations

import pytest

from scanner.errors import ValidationError
from scanner.model import Platform
from scanner.platforms import (
    all_specs,
    api_spec,
    api_specs,
    host_limits,
    platform_fetch_config,
    platform_hosts,
)
from scanner.platforms.api import Api
from scanner.platforms.connectors import CONNECTORS, ApiAccess, connector_for
from scanner.platforms.specs import load_spec_text
from tests.platforms.test_specs import GOOD

API = """\
api:
  endpoint: x-api
  connector: x_user
  extracts: [display_name, followers, last_activity_at]
  hosts: ["api.x.com"]
  base_url: "https://api.x.com"
  token: {env: ROLLCALL_X_TOKEN, header: Authorization, scheme: Bearer}
"""


def test_every_api_is_declared_once_and_every_brand_platform_has_a_connector() -> None:
    assert set(api_specs()) == set(Api)
    with_api = {p for p, s in all_specs().items() if s.api is not None}
    assert with_api == {
        Platform.FACEBOOK,
        Platform.INSTAGRAM,
        Platform.THREADS,
        Platform.X,
        Platform.LINKEDIN,
        Platform.TIKTOK,
        Platform.YOUTUBE,
        Platform.GITHUB,
    }
    assert {connector_for(p).name for p in with_api} == set(CONNECTORS)  # type: ignore[union-attr]
    assert api_spec(Api.META_GRAPH).version == "v25.0"
    assert platform_hosts()["x-api"] == ("api.x.com", "api.twitter.com")
    assert platform_hosts()["threads-graph"] == ("graph.threads.net", "graph.threads.com")
    assert set(host_limits()) >= {a.value for a in Api}


def test_a_spec_with_an_api_block_loads() -> None:
    spec = load_spec_text(GOOD + API, "x.yaml")
    assert spec.api is not None and spec.api.endpoint is Api.X_API
    assert spec.api.token is not None and spec.api.token.host == "api.x.com"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("endpoint: x-api", "endpoint: x-apis"), "one of meta-graph"),
        (('  base_url: "https://api.x.com"\n', ""), "go together"),
        (('base_url: "https://api.x.com"', 'base_url: "https://api.x.com/2"'), "https://host"),
        (('base_url: "https://api.x.com"', 'base_url: "https://evil.example"'), "not one of"),
        (("env: ROLLCALL_X_TOKEN", "env: x-token"), "environment variable NAME"),
    ],
)
def test_a_broken_api_block_fails_with_file_and_line(
    change: tuple[str, str], expected: str
) -> None:
    text = GOOD + API.replace(*change)
    with pytest.raises(ValidationError) as err:
        load_spec_text(text, "x.yaml")
    assert expected in str(err.value) and "x.yaml:" in str(err.value)


def test_a_loaded_credential_adds_its_apis_fields_to_what_a_run_can_show() -> None:
    # Without a token, X's public page gives no post dates, so rules on them do not apply
    # there; with the X token loaded, the API's fields count for every X account of the run.
    public = ApiAccess.from_config(platform_fetch_config(tokens={})).capabilities()
    with_x = ApiAccess.from_config(
        platform_fetch_config(tokens={"ROLLCALL_X_TOKEN": "t"})
    ).capabilities()
    assert "last_activity_at" not in public[Platform.X]
    assert "last_activity_at" in with_x[Platform.X]
    assert with_x[Platform.FACEBOOK] == public[Platform.FACEBOOK]  # no Meta token loaded
    assert with_x[Platform.GITHUB] == public[Platform.GITHUB]  # no owner API at all
