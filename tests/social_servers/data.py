"""Shared fake content: Vietnamese text with emoji, and raw author identifiers that must never be
stored, logged or exported (tests search for every string in ``RAW_AUTHOR_STRINGS``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)

TEXTS = [
    "Lào Cai: mưa lớn gây sạt lở trên quốc lộ 4D, giao thông tạm thời bị chia cắt 🌧️",
    "Sa Pa đón hơn 10.000 lượt khách dịp cuối tuần 🏔️✨ Đường lên Fansipan đông vui!",
    "Người dân Yên Bái (cũ) phản ánh giá điện tăng cao 😡 mong được giải thích rõ ràng",
    "Lễ hội Gầu Tào của đồng bào H'Mông ở Bắc Hà 🎉 Rất đẹp, rất đáng đi!",
    "Cảnh báo: tin đồn đập thủy điện bị vỡ là SAI, chính quyền xã đã bác bỏ ❗",
    "Đường ĐT.152 sửa xong rồi 👍 cảm ơn các anh chị công nhân",
]

# Authors: display names, handles, numeric ids, profile URLs. None of these may leave a connector.
AUTHORS = [
    {"name": "Nguyễn Thị Bí Mật", "handle": "bimat_nguyen88", "id": "100044455566677",
     "channel": "UCsecretChannelId00000001"},
    {"name": "Trần Văn Riêng Tư", "handle": "rieng.tu.tran", "id": "100099988877766",
     "channel": "UCsecretChannelId00000002"},
    {"name": "Lê Hoàng 🦋 Ẩn Danh", "handle": "an-danh-le", "id": "100012121212121",
     "channel": "UCsecretChannelId00000003"},
]

RAW_AUTHOR_STRINGS = sorted({value for author in AUTHORS for value in author.values()}
                            | {f"did:plc:{a['handle'].replace('.', '').replace('_', '').replace('-', '')}"
                               for a in AUTHORS}
                            | {f"{a['handle']}.bsky.social" for a in AUTHORS}
                            | {"https://www.facebook.com/profile.php?id=" + a["id"] for a in AUTHORS})


def did_of(author: dict) -> str:
    return f"did:plc:{author['handle'].replace('.', '').replace('_', '').replace('-', '')}"


def text_for(i: int) -> str:
    return f"{TEXTS[i % len(TEXTS)]} (#{i})"


def when(i: int, minutes: int = 7) -> datetime:
    """Item i is i*minutes before T0 (higher i = older)."""
    return T0 - timedelta(minutes=i * minutes)


def fb_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S+0000")


def iso_z(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
