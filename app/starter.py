"""The commented starter configuration written by ``mediawatch init``."""

from __future__ import annotations

import secrets


def canonical_province(name: str) -> str:
    """The post-2025 province a user means, written with or without diacritics, old names included."""
    from mediawatch.classifiers.places import load_gazetteer

    from mediawatch.text import fold

    merged_into = load_gazetteer().merged_into  # every legacy and current name -> current province
    wanted = fold(name).removeprefix("tinh ").removeprefix("thanh pho ").removeprefix("tp ")
    for province in sorted(set(merged_into.values())):
        if fold(province) == wanted:
            return province
    for old, new in merged_into.items():
        if fold(old) == wanted:
            return new
    raise ValueError(f"unknown province {name!r}: use one of the 34 provinces since July 2025: "
                     f"{', '.join(sorted(set(merged_into.values())))}")


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _sources_block(province: str) -> str:
    try:
        from mediawatch.crawlers.catalogue import sources_for
    except ImportError:  # the catalogue ships with the crawlers; keep init usable without it
        return ""
    blocks = []
    for source in sources_for(province):
        lines = ["[[sources]]"]
        for key in ("id", "name", "kind", "type", "url"):
            if source.get(key):
                lines.append(f"{key} = {_toml_str(str(source[key]))}")
        if source.get("local"):
            lines.append("local = true  # the province's own media: every item counts as about it")
        if source.get("enabled") is False:
            lines.append("enabled = false")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


REGISTER_FILE = "claims.yaml"


def register_template(province: str) -> str:
    """The empty claims register ``mediawatch init`` writes: comments only, so it reads as no claims."""
    return f"""# Sổ nhận định (claims register) của {province}: các nhận định đã được kết luận, đối chiếu với
# mọi tin bài và bài đăng. Known claims and their verdicts, matched against every post.
#
# Điền bằng tay, mỗi mục một nhận định / fill it by hand, one entry per claim:
#   text:        nhận định, đúng như nó lan truyền (bắt buộc) / the claim as it circulates (required)
#   verdict:     tin giả | tin sai sự thật | tin xác thực   (or: fake | misleading | true)
#   correction:  thông tin đính chính / the official correction
#   source_url:  đường dẫn bằng chứng (thông cáo, bài kiểm chứng) / link to the evidence
#   date:        ngày kết luận / date of the verdict, YYYY-MM-DD
#   publisher:   cơ quan, đơn vị kết luận / who judged it (optional)
#   topic:       chủ đề / topic (optional)
#   paraphrases: các cách nói khác / other wordings (optional list)
#
# Ví dụ (bỏ dấu # ở đầu dòng để dùng) / example (remove the leading # to use it):
# - text: "Đập thủy điện X ở xã Y bị vỡ"
#   verdict: tin giả
#   correction: "UBND tỉnh khẳng định đập vẫn an toàn"
#   source_url: "https://..."
#   date: 2025-09-01
#   publisher: "UBND tỉnh"
#   paraphrases: ["vỡ đập thủy điện X", "đập X vỡ rồi"]
#
# Hoặc nhập kết luận của các trang kiểm chứng (schema.org ClaimReview) vào kho:
# or load a fact-checker's verdicts (schema.org ClaimReview) into the store:
#   mediawatch claims import https://trang-kiem-chung.vn/bai-viet   (or a saved page, a .json, a .csv)
# Kiểm tra tệp này / check this file:   mediawatch claims check {REGISTER_FILE}
"""


def starter_config(province: str) -> str:
    from mediawatch.classifiers.places import load_gazetteer

    province = canonical_province(province)
    former = load_gazetteer().former_of(province)
    former_toml = ", ".join(_toml_str(f) for f in former)
    key = secrets.token_urlsafe(32)
    sources = _sources_block(province) or (
        "# [[sources]]\n# id = \"vnexpress-thoi-su\"\n# name = \"VnExpress - Thời sự\"\n"
        "# kind = \"press\"\n# type = \"rss\"\n# url = \"https://vnexpress.net/rss/thoi-su.rss\"")
    return f'''# mediawatch configuration for {province}.
# Every key is described in docs/configuration.md. Environment variables override this file:
# MEDIAWATCH_<SECTION>__<KEY>, e.g. MEDIAWATCH_SMTP__PASSWORD. Keep secrets in the environment.

# Language of everything people read (digest, alerts, dashboards): "vi" or "en".
language = "vi"
timezone = "Asia/Ho_Chi_Minh"
# Spools, outboxes and the Prefect home, relative to this file.
data_dir = "data"

[province]
name = {_toml_str(province)}
# Provinces merged into it in July 2025: documents naming them are about this province too.
former_names = [{former_toml}]
aliases = []

[store]
# Embedded default: one SQLite file. Production: url = "https://es.example.vn:9200" with api_key.
url = "sqlite:///data/mediawatch.db"
retention_days = 365

[crawl]
# Identify the crawler; site owners use contact_url to reach you.
contact_url = "https://github.com/mediawatch-vn/mediawatch"
timeout_s = 20
max_bytes = 5000000
per_host_delay_s = 1.0
obey_robots = true

[classifiers]
# Sổ nhận định: known false or misleading claims and official corrections, matched against every
# post. Written empty by `mediawatch init`; fill it by hand, or `mediawatch claims import URL|FILE`.
claims_register = "{REGISTER_FILE}"
# misinfo_flag_threshold: unset = the model's operating point (0.8 reviewer precision).

[privacy]
# Key of the keyed hash that replaces social-post authors. Generated for you: keep it secret and
# stable (changing it breaks the link between old and new pseudonyms).
pseudonymisation_key = "{key}"

[smtp]
# host = "smtp.example.vn"
# port = 587
# username = "mediawatch"
# security = "starttls"
# sender = "mediawatch@example.vn"
# password: set MEDIAWATCH_SMTP__PASSWORD in the environment.

[digest]
recipients = []
send_at = "07:00"

# Webhooks receive alerts; formats: json (signed), slack, teams, telegram, zalo.
# [[webhooks]]
# name = "nhom-truc"
# url = "https://example.vn/hooks/mediawatch"
# format = "json"

# Topics are boolean queries (AND, OR, NOT, "phrases", NEAR/n, wildcards*), without diacritics
# too. Empty: the built-in crisis topics (storms, floods, landslides, dams, epidemics, ...).
# [[topics]]
# name = "vo_dap"
# label = "Tin đồn vỡ đập"
# query = '("vo dap" OR "xa lu") AND (thuy dien OR ho chua)'
# urgent = true

# Sources: the national press and the province's own media. Check each URL once
# (`mediawatch sources check`): sites move their feeds.
{sources}
'''
