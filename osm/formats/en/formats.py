"""English: 6 Oct 2026 (day, short month, year: unambiguous on both sides of the Atlantic),
not Django's "Oct. 6, 2026". Templates write a day with `{{ day|date }}` and a moment with
`{{ moment|date:"DATETIME_FORMAT" }}`; everything else is Django's English."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
