"""OSM's own date and number formats for a language, where Django's do not suit
(FORMAT_MODULE_PATH): English is written as an international company writes it, not
the United States' month-first way. French and German keep Django's."""
