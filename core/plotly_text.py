"""Text for Plotly figures, shown as typed.

Plotly reads its own markup in every string it draws (titles, legend names, hover texts,
axis and tick labels, bar texts, annotations): `<a href>` becomes a link, `<b>`, `<i>`,
`<br>`, `<sup>`, `<span style>` format, and entities are decoded. A measure named
`<a href="https://evil.example">Session expired</a>` would draw a link on the page.
Every figure builder passes the text it takes from data through `plotly_text`, which
writes `&`, `<` and `>` as the entities Plotly decodes back into those characters; the
markup the builders write themselves (`<br>` between lines, `<extra>`) stays markup.
"""


def plotly_text(value) -> str:
    """`value` as text Plotly shows character for character (its markup escaped)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plotly_texts(values) -> list[str]:
    """`plotly_text` of each of `values`."""
    return [plotly_text(value) for value in values]
