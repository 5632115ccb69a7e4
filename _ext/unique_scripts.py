"""Drop repeated <script> tags from every page.

Jupyter Book 1 registers some inline scripts twice (sphinx-thebe's configuration among them), so
each page declared `THEBE_JS_URL` twice and the browser reported a SyntaxError. Keeping only the
first copy of each script fixes that; the two copies differ only in having a filename of None
or "", so both count as the same inline script here.
"""

from sphinx.application import Sphinx


def drop_repeated_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    seen, unique = set(), []
    for script in context.get("script_files", []):
        filename = getattr(script, "filename", script) or ""  # an inline script's is None or ""
        key = (filename, tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
