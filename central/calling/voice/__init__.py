"""The voice of the lobby display: announcements built from a pack of short recorded segments
(builder.py), the pack's layout and audio (pack.py), the default pack made offline with
espeak-ng's Vietnamese voice and sox (generate.py)."""
