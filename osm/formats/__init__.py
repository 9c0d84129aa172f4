"""Date and number formats per language, where OSM departs from Django's (FORMAT_MODULE_PATH):
one way to write a day in each language, on every page and in every e-mail."""
