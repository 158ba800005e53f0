"""Imported site lists (WhatsMyName, Sherlock): format readers, the normalized :class:`Site`
value, its stored form and the probe that answers in the five states (issue 14)."""

from __future__ import annotations

from scanner.platforms.sites.model import (
    ACCOUNT,
    Method,
    Site,
    SiteFormat,
    SiteList,
    SiteSignal,
)
from scanner.platforms.sites.probe import (
    SiteObservation,
    handle_problem,
    judge,
    probe_site,
    profile_url,
)
from scanner.platforms.sites.readers import ReadSites, detect_format, read_site_file
from scanner.platforms.sites.store import (
    DATA_DIR_ENV,
    default_data_dir,
    dump_sites,
    load_sites,
    merge_import,
    sites_path,
    with_degraded,
)

__all__ = [
    "ACCOUNT",
    "DATA_DIR_ENV",
    "Method",
    "ReadSites",
    "Site",
    "SiteFormat",
    "SiteList",
    "SiteObservation",
    "SiteSignal",
    "default_data_dir",
    "detect_format",
    "dump_sites",
    "handle_problem",
    "judge",
    "load_sites",
    "merge_import",
    "probe_site",
    "profile_url",
    "read_site_file",
    "sites_path",
    "with_degraded",
]
