"""Stage 6, reports: the output formats, the rule catalog, the port map (text, Markdown, JSON,
HTML) and the free-block search."""
