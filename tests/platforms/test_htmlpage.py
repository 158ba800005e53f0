"""The profile-page reader on broken and hostile markup: unclosed tags, broken JSON-LD, stray
character references, and pages of far more tags than anyone reads."""

from __future__ import annotations

from scanner.platforms.htmlpage import html_to_text, parse_html

GOOD_LD = (
    '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
    '{"@type": "ProfilePage", "mainEntity": {"@type": "Organization", "name": "Copper Kettle"}},'
    '[{"@type": "https://schema.org/Person", "name": "Ada"}]]}</script>'
)
BROKEN_LD = '<script type="application/ld+json">{"@type": "Person", "name": </script>'


def test_unclosed_tags_and_broken_jsonld_keep_everything_readable() -> None:
    page = parse_html(
        "<html><head><title>Copper Kettle (@copperkettle)\n"  # title never closed
        '<meta property="og:title" content="Copper Kettle">'
        '<meta name="Description" content="Small-batch coffee &amp; more">'
        '<link rel="canonical" href="https://x.test/copperkettle">'
        '<link rel="alternate" type="Application/RSS+XML" href="/feed.rss">'
        f"{BROKEN_LD}{GOOD_LD}"
        "<body><div><p>unclosed <b>bold <i>italic"
        '<a rel="me nofollow" href="https://copperkettle.coffee">site'  # anchor never closed
        '<meta itemprop="identifier" content="UC1234">'
        "</span></td></html></html>"
    )
    assert page.title == "Copper Kettle (@copperkettle)"
    assert page.first_meta("og:title") == "Copper Kettle"
    assert page.meta["description"] == ["Small-batch coffee & more"]
    assert page.first_meta("identifier") == "UC1234"  # after the unclosed <a>, still read
    assert page.first_link("canonical") == "https://x.test/copperkettle"
    assert page.links["alternate:application/rss+xml"] == ["/feed.rss"]
    assert page.links["me"] == page.links["nofollow"] == ["https://copperkettle.coffee"]
    # The broken block is no evidence; the good one beside it is read, @graph and arrays flattened.
    assert [o.get("@type") for o in page.jsonld] == [
        None,
        "ProfilePage",
        "https://schema.org/Person",
    ]
    assert [o["name"] for o in page.jsonld_of_type("Person")] == ["Ada"]


def test_caps_on_a_page_of_100k_meta_tags() -> None:
    tags = '<meta name="description" content="d">' * 100_000
    page = parse_html(f"<title>t</title>{tags}<meta property='og:title' content='late'>")
    assert page.title == "t"
    assert len(page.meta["description"]) == 500
    assert "og:title" not in page.meta  # past the cap: nothing later is kept
    many_ld = '<script type="application/ld+json">[{"@type": "Thing"}, {"@type": "Thing"}]</script>'
    assert len(parse_html(many_ld * 1_000).jsonld) == 500
    links = parse_html('<a rel="me" href="https://a.test">' * 100_000).links
    assert len(links["me"]) == 500


def test_tags_that_yield_nothing_do_not_use_up_the_cap() -> None:
    page = parse_html(
        "<meta content=x>" * 1_000 + "<link href=y>" * 1_000 + "<meta name=n content=v>"
    )
    assert page.meta == {"n": ["v"]}
    assert page.links == {}


def test_stray_character_references_do_not_end_the_page() -> None:
    # A "&#" that starts no reference used to make html.parser give up on the rest of the page.
    page = parse_html(
        "<title>C&# and AT&T</title><p>&# again; &#xZ</p><meta name=late content='kept &#39;'>"
    )
    assert page.title == "C&# and AT&T"
    assert page.meta["late"] == ["kept '"]
    assert parse_html("<title>R&D").title == "R&D"


def test_rehydration_scripts_and_first_title_only() -> None:
    page = parse_html(
        "<svg><title>icon</title></svg><title>second</title>"
        '<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__">'
        '{"__DEFAULT_SCOPE__": {"webapp.user-detail": {"userInfo": {"user": {"id": "1"}}}}}'
        "</script><script>var t = '<title>not a title</title>';</script>"
        '<script id="SIGI_STATE">{"broken"</script>'
    )
    assert page.title == "icon"
    assert page.rehydration() == {"userInfo": {"user": {"id": "1"}}}
    assert page.scripts["SIGI_STATE"] == '{"broken"'
    assert set(page.scripts) == {"__UNIVERSAL_DATA_FOR_REHYDRATION__", "SIGI_STATE"}


def test_not_html_at_all() -> None:
    for body in ("", "plain text", '{"json": true}', "<?xml version='1.0'?><rss></rss>", "<<<>>&&"):
        page = parse_html(body)
        assert (page.meta, page.links, page.jsonld, page.scripts) == ({}, {}, [], {})


def test_html_to_text_on_fragments() -> None:
    # A bio that is only a URL or a file-like word is text, not a mistake (bs4 would warn).
    assert html_to_text("https://copperkettle.coffee") == ("https://copperkettle.coffee", ())
    assert html_to_text("notes.txt") == ("notes.txt", ())
    text, hrefs = html_to_text(
        '<p>Roasting <a href="https://copperkettle.coffee" rel="nofollow">'
        '<span class="invisible">https://</span>copperkettle.coffee</a><br>since 2012'
        "<p>unclosed <b>AT&T"
    )
    assert text == "Roasting https://copperkettle.coffee\nsince 2012\nunclosed AT&T"
    assert hrefs == ("https://copperkettle.coffee",)
    assert html_to_text("<div>a<!-- hidden -->b</div>") == ("ab", ())
