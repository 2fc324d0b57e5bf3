"""Dashboards as code: one panel spec (panels.py) rendered as Kibana saved objects (kibana.py,
validated by kibana_validate.py, pushed by kibana_push.py) and as the embedded Datasette view
(datasette_config.py, served by serve.py). See docs/dashboards.md."""
