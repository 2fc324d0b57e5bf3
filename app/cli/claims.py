"""`mediawatch claims import|check`: load fact-checkers' verdicts and register files into the store.

``import`` reads schema.org ClaimReview JSON-LD from fact-check pages (URLs are fetched under the
crawl policy: robots.txt, size cap, identifying User-Agent, no private addresses) or saved
HTML/JSON files, and register files (CSV/YAML), and stores each claim once (by its id: importing
the same claim again changes nothing). The enricher matches posts against stored claims from its
next cycle on. ``check`` reads a register file and names every row it would skip.
"""

from __future__ import annotations

from pathlib import Path

import typer

from .common import EXIT_FAILED, EXIT_USAGE, err, open_store_or_exit, settings_from



def register(app: typer.Typer) -> None:
    claims = typer.Typer(no_args_is_help=True, help="Sổ nhận định / the claims register.")
    claims.command("import")(claims_import)
    claims.command("check")(claims_check)
    app.add_typer(claims, name="claims")


def _text(settings) -> dict[str, str]:
    """What these commands print (``cli.claims.*``), in the configured language."""
    from mediawatch.i18n import words

    return words("cli.claims", settings.language)  # another language reads Vietnamese


def read_source(source: str, settings):
    """ReviewsRead or RegisterRead of one URL or file; raises MediawatchError or OSError when unreadable."""
    from mediawatch.classifiers.misinfo.claimreview import read_claim_reviews, read_claims_file

    if source.startswith(("http://", "https://")):
        from mediawatch.crawlers.fetch import Fetcher, FetchPolicy

        fetcher = Fetcher(FetchPolicy.from_settings(settings))
        try:
            result = fetcher.get(source)
        finally:
            fetcher.close()
        body = result.body.decode(result.charset or "utf-8", errors="replace")
        return read_claim_reviews(body, source, page_url=result.url)
    return read_claims_file(Path(source).read_text(encoding="utf-8"), source)


def claims_import(ctx: typer.Context,
                  sources: list[str] = typer.Argument(..., help="Fact-check page URLs, saved pages (.html), "
                                                                "JSON-LD files (.json, .jsonld) or register "
                                                                "files (.csv, .yaml).")) -> None:
    """Nhập nhận định đã kiểm chứng / import fact-checkers' verdicts (schema.org ClaimReview) and registers."""
    from mediawatch.classifiers.misinfo.claims import save_claim, stored_claims
    from mediawatch.errors import MediawatchError

    settings = settings_from(ctx)
    text = _text(settings)
    claims = {}
    failed = 0
    for source in sources:
        try:
            read = read_source(source, settings)
        except (MediawatchError, OSError, UnicodeDecodeError) as exc:
            failed += 1
            err(text["failed"].format(source=source, why=exc))
            continue
        typer.echo(text["source"].format(source=source, n=len(read.claims)))
        for problem in read.problems:
            err(text["skipped"].format(problem=problem))
        for claim in read.claims:
            claims[claim.id] = claim
    if not claims:
        typer.echo(text["nothing"])
        raise typer.Exit(EXIT_FAILED if failed else 0)
    with open_store_or_exit(settings) as store:
        before = {c.id: c for c in stored_claims(store)}
        new = updated = same = 0
        for claim in claims.values():
            old = before.get(claim.id)
            if old is not None and old.to_dict() == claim.to_dict():
                same += 1
                continue
            if old is not None and old.origin == "review":
                # A reviewer's own verdict outranks an imported one: keep it, note the evidence.
                same += 1
                continue
            save_claim(store, claim)
            new, updated = (new + 1, updated) if old is None else (new, updated + 1)
    typer.echo(text["done"].format(total=len(claims), new=new, updated=updated, same=same))
    if failed:
        raise typer.Exit(EXIT_FAILED)


def claims_check(ctx: typer.Context, path: Path = typer.Argument(..., help="A register file (.csv, .yaml).")) -> None:
    """Kiểm tra sổ nhận định / check a register file: every malformed row with file:line and why."""
    from mediawatch.classifiers.misinfo.claims import load_register
    from mediawatch.errors import MediawatchError

    settings = settings_from(ctx)
    text = _text(settings)
    try:
        read = load_register(path)
    except MediawatchError as exc:
        err(f"mediawatch: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    for problem in read.problems:
        err(text["skipped"].format(problem=problem))
    typer.echo(text["check_ok"].format(path=path, n=len(read.claims), skipped=len(read.problems)))
    if read.problems:
        raise typer.Exit(EXIT_FAILED)
