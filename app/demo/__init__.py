"""The demo's content: a fictional provincial news site and social feed, written for the project.

``content.yaml`` holds every article and post with its age in hours ("ago_h"), so the two weeks
always end at the moment the demo starts. Names of people are invented; places are real places of
Lào Cai province (including the former Yên Bái province merged into it in July 2025); the events,
the dam in the rumour ("thủy điện Nậm Chăn 2") and all quotes are fictional.
"""
