"""`mediawatch sources check|catalogue`: press source health and the default catalogue."""

from __future__ import annotations

import json

import typer

from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, err, language_of, open_store_or_exit, settings_from

sources_app = typer.Typer(no_args_is_help=True, help="Nguồn tin: kiểm tra tình trạng / press sources and health.")


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")


def _local(value, tz: str) -> str:
    from mediawatch.i18n import fmt_date_time

    return fmt_date_time(value, tz)


def _num(value: float, lang: str) -> str:
    from mediawatch.i18n import fmt_num

    return fmt_num(value, lang)


@sources_app.command("check")
def check(ctx: typer.Context,
          source: list[str] = typer.Option(None, "--source", "-s", help="Only these source ids."),
          no_probe: bool = typer.Option(False, "--no-probe", help="Only stored run figures; no network."),
          lang: str = typer.Option(None, "--lang", help="vi (default from the configuration) or en."),
          as_json: bool = typer.Option(False, "--json")) -> None:
    """Each source's health: reachability, robots.txt, feed validity, last run figures, silence."""
    from datetime import datetime, timezone

    from mediawatch.crawlers.fetch import Fetcher, FetchPolicy
    from mediawatch.crawlers.health import silent_sources, summarise
    from mediawatch.crawlers.probe import Probe, probe_source

    from mediawatch.i18n import words

    settings = settings_from(ctx)
    lang = language_of(settings, lang)
    t = words("cli.sources", lang)
    chosen = settings.sources
    if source:
        unknown = sorted(set(source) - {s.id for s in chosen})
        if unknown:
            err(t["unknown"].format(ids=", ".join(unknown)))
            raise typer.Exit(EXIT_USAGE)
        chosen = [s for s in chosen if s.id in source]
    if not chosen:
        typer.echo(t["none"])
        raise typer.Exit(EXIT_OK)
    with open_store_or_exit(settings) as store:
        runs = store.runs(limit=5000)
    ids = {s.id for s in chosen}
    health = summarise(r for r in runs if r.source_id in ids)
    now = datetime.now(timezone.utc)
    silent = {s.source_id: s for s in silent_sources(runs, now) if s.source_id in ids}
    fetcher = Fetcher(FetchPolicy.from_settings(settings))
    failed = 0
    rows = []
    try:
        for src in chosen:
            probe = Probe(src.id, checked=False) if no_probe or not src.enabled else probe_source(src, fetcher)
            item = health.get(src.id)
            bad = not probe.ok or src.id in silent
            failed += bad
            rows.append((src, probe, item, bad))
    finally:
        fetcher.close()
    if as_json:
        for src, probe, item, bad in rows:
            last = item.last if item else None
            typer.echo(json.dumps({
                "source_id": src.id, "type": src.type, "url": src.url, "enabled": src.enabled, "ok": not bad,
                "probe": probe.__dict__ | {"ok": probe.ok},
                "last_run": None if last is None else {
                    "finished_at": last.finished_at.isoformat(), "fetched": last.fetched, "new": last.new,
                    "updated": last.updated, "unchanged": last.unchanged, "errors": last.errors},
                "last_success_at": item.last_success_at.isoformat() if item and item.last_success_at else None,
                "silent": src.id in silent}, ensure_ascii=False, default=str))
        raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)
    for src, probe, item, bad in rows:
        mark = "✗" if bad else "✓"
        typer.echo(f"{mark} {src.id} ({src.type}) {src.url or ''} {'' if src.enabled else t['disabled']}".rstrip())
        if not probe.checked:
            if src.type not in ("rss", "sitemap", "listing"):
                typer.echo(f"    {t['not_checked']}")
        else:
            parts = []
            if probe.robots_allowed is False:
                parts.append(t["robots_bad"])
            elif probe.reachable:
                parts.append(t["reach_ok"].format(status=probe.status, secs=_num(probe.seconds or 0, lang)))
                parts.append(t["robots_ok"])
                if probe.valid is False:
                    parts.append(t["invalid"].format(detail=probe.detail))
                elif probe.reason == "parse":
                    parts.append(t["malformed"].format(n=probe.entries, detail=probe.detail[:80]))
                else:
                    parts.append(t["valid"].format(n=probe.entries))
            else:
                parts.append(t["reach_bad"].format(detail=probe.detail[:160]))
            typer.echo("    " + " | ".join(parts))
        if item is None or item.last is None:
            typer.echo(f"    {t['no_runs']}")
        else:
            last = item.last
            line = t["last_run"].format(when=_local(last.finished_at, settings.timezone), fetched=last.fetched,
                                        new=last.new, updated=last.updated, unchanged=last.unchanged)
            if last.errors:
                line += "; " + t["errors"].format(errors=", ".join(f"{k}={v}" for k, v in sorted(last.errors.items())))
            typer.echo(f"    {line}")
            typer.echo(f"    {t['last_success'].format(when=_local(item.last_success_at, settings.timezone))}"
                       f" | {t['last_published'].format(when=_local(item.last_published_at, settings.timezone))}")
        if src.id in silent:
            s = silent[src.id]
            typer.echo("    " + t["silent"].format(hours=int(s.silent_for.total_seconds() // 3600),
                                                  typical=_num(s.typical_gap.total_seconds() / 3600, lang)))
    typer.echo(t["summary"].format(ok=len(rows) - failed, total=len(rows)))
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


@sources_app.command("catalogue")
def catalogue(province: str = typer.Option("Lào Cai", "--province", "-p", help="Province (current or former name)."),
              national: bool = typer.Option(True, "--national/--no-national", help="Include national press.")) -> None:
    """Print the default sources for a province as TOML source entries (verify with `sources check`)."""
    from mediawatch.crawlers.catalogue import find_province, provinces, sources_for

    if find_province(province) is None:
        err(f"mediawatch: '{province}' không có trong danh mục / not in the catalogue "
            f"({', '.join(provinces())}); chỉ in báo trung ương / printing national press only.")
    for entry in sources_for(province, national=national):
        typer.echo("[[sources]]")
        for key in ("id", "name", "kind", "type", "url"):
            typer.echo(f"{key} = {json.dumps(entry[key], ensure_ascii=False)}")
        typer.echo(f"options = {{ role = \"{entry['options']['role']}\", verified = false }}\n")
