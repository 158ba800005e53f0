"""The shell shared by the HTML reports: one offline file with inline CSS and an optional inline
script, locked down by a Content-Security-Policy that allows exactly those two blocks by hash."""

from __future__ import annotations

import base64
import hashlib

from scanner.reports.sanitize import hidden, html_text

__all__ = ["CSS", "csp_hash", "e", "page", "safe_href"]

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#111827;background:#f9fafb}
header{background:#1f2937;color:#f9fafb;padding:16px 24px}
header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#d1d5db;font-size:13px}
main{padding:16px 24px;max-width:1400px}
section{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:12px 16px;margin:0 0 16px}
h2{font-size:17px;margin:4px 0 12px}
h3{font-size:15px;margin:12px 0 8px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e5e7eb;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6}
#findings-table th{position:sticky;top:0}
th.sortable{cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" \\25B2"}
th[aria-sort=descending]::after{content:" \\25BC"}
td.num,th.num{text-align:right}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #e5e7eb;border-radius:6px;padding:8px 14px;min-width:110px;background:#fff}
.card b{display:block;font-size:22px}
.card span{font-size:12px;color:#4b5563}
.charts{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.sev{display:inline-block;border-radius:3px;padding:0 6px;color:#fff;font-size:12px;white-space:nowrap;overflow-wrap:normal}
.sev-critical{background:#7f1d1d}.sev-high{background:#dc2626}.sev-medium{background:#b45309}
.sev-low{background:#2563eb}.sev-info{background:#6b7280}
.status-waived{color:#6b7280}.status-error{color:#7c3aed}.status-warn{color:#b45309}
.muted{color:#6b7280}
.warning{background:#fef3c7;border:1px solid #f59e0b;padding:8px 12px;border-radius:6px}
.controls{display:flex;gap:12px;align-items:center;margin:0 0 8px}
.controls input{padding:4px 8px;min-width:260px}
details summary{cursor:pointer;color:#374151}
.bio{white-space:pre-wrap;word-break:break-word;max-width:420px}
.scroll{overflow-x:auto}
ul.tight{margin:0;padding-left:1.1em}
td{overflow-wrap:anywhere}
td.nowrap{white-space:nowrap}
td.words{overflow-wrap:normal}
""".strip()


def csp_hash(source: str) -> str:
    """The CSP source expression allowing exactly this inline block."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def e(value: object) -> str:
    """Escape anything (fetched or not) for HTML text and attributes (see sanitize.html_text)."""
    return html_text("" if value is None else str(value))


def safe_href(url: str | None) -> str | None:
    """Only http(s) URLs become links; anything else (``javascript:``, ``data:``) stays text, and
    so does a URL with hidden characters, whose target would differ from what the reader sees."""
    if not url or hidden(url.strip()):
        return None
    lowered = url.strip().lower()
    return e(url.strip()) if lowered.startswith(("https://", "http://")) else None


def page(title: str, subtitle: str, body: str, script: str | None = None) -> str:
    script_src = csp_hash(script) if script else "'none'"
    csp = (
        f"default-src 'none'; style-src {csp_hash(CSS)}; script-src {script_src}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    script_block = f"<script>{script}</script>" if script else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{e(title)}</h1><p>{e(subtitle)}</p></header>\n<main>\n{body}\n</main>\n"
        f"{script_block}\n</body>\n</html>\n"
    )
