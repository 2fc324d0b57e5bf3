"""Public social-post connectors: Facebook Pages, YouTube, Telegram channels, Mastodon, Bluesky and
file exports. Each is a ``collect(source, ctx)`` collector (see ``crawlers/base.py``) that
pseudonymises authors at the door (``common.SocialRun.author``). See ``docs/social.md``.
"""
